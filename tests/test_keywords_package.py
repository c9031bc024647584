"""The keywords package says what lives in it: its __init__ names every module."""

import pkgutil

import radiomon.keywords


def test_the_package_doc_names_every_module():
    modules = {m.name for m in pkgutil.iter_modules(radiomon.keywords.__path__)}
    assert modules  # the package has modules to list
    missing = sorted(m for m in modules if f":mod:`~radiomon.keywords.{m}`" not in radiomon.keywords.__doc__)
    assert missing == []


def test_the_names_importable_from_the_package_and_the_matcher_module():
    from radiomon.keywords import Matcher, Mention, NearMissOptions, matcher

    assert (matcher.Matcher, matcher.Mention, matcher.NearMissOptions) == (Matcher, Mention, NearMissOptions)
