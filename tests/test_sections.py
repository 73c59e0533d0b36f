"""Every built-in claim is filed under a section of the post named in theorems.sections, and every section holds one."""

from overparam.theorems import sections
from overparam.theorems.listing import catalogue


def _built_in():
    # claims registered by the chapters (an --include file of a test may add others to the registry)
    return [c for c in catalogue() if c.check is not None and c.check.__module__.startswith("overparam.theorems.chapters.")]


def test_every_claim_names_a_section_of_the_post():
    claims = _built_in()
    assert len(claims) >= 40
    stray = {c.id: c.section for c in claims if c.section not in sections.SECTIONS}
    assert not stray, f"claims filed under a title that is not in theorems.sections.SECTIONS: {stray}"


def test_every_section_holds_claims():
    used = {c.section for c in _built_in()}
    assert [s for s in sections.SECTIONS if s not in used] == []


def test_sections_are_distinct_and_exported():
    assert len(set(sections.SECTIONS)) == len(sections.SECTIONS)
    assert {getattr(sections, n) for n in sections.__all__ if n != "SECTIONS"} == set(sections.SECTIONS)


def test_the_chapters_docstring_lists_each_module_with_its_claims_and_section():
    import re

    from overparam.theorems import chapters

    rows = {}
    for line in chapters.__doc__.splitlines():
        m = re.fullmatch(r"    (\w+)\s+(C\S.*?)\s+([A-Z_]+)", line)
        if m:
            rows[m.group(1)] = (m.group(2), getattr(sections, m.group(3)))
    got = {}
    for c in _built_in():
        got.setdefault(c.check.__module__.rsplit(".", 1)[1], []).append(c)
    assert sorted(rows) == sorted(got)
    for module, claims in got.items():
        listed, section = rows[module]
        ids = [c.id for c in claims]
        expected = f"{ids[0]}–{ids[-1]}" if "–" in listed else ", ".join(ids)
        assert listed == expected, f"{module}: the docstring lists {listed}, the catalogue has {ids}"
        assert {c.section for c in claims} == {section}, module
