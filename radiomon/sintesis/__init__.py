"""The síntesis as the office sends it: editions curated by staff, approved, delivered (issue 28).

- :mod:`.model`: the edition and its items as plain dataclasses, and the
  document a reader gets (pure);
- :mod:`.candidates`: the day's digest (radiomon.reports.digest) turned into
  candidate items, with the headline and summary extracted, never invented;
- :mod:`.editions`: the job layer the CLI and the web UI call: open a day's
  edition (bringing its candidates up to date), edit, reorder, add a note,
  approve, correct;
- rendering and delivery live beside them.
"""
