from radiomon.cli import main

main()
