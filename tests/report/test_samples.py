from keino_metrics.report import samples


def test_summarise_counts_by_source_type_country_and_year(small_dataset):
    s = samples.summarise(small_dataset)
    assert s.files == 3
    assert s.by_source.to_dict("records") == [
        {"source": "eforms", "files": 2, "notices": 2, "lots": 3, "awards": 0},
        {"source": "ted-legacy", "files": 1, "notices": 1, "lots": 1, "awards": 0}]
    assert s.by_type["notices"].sum() == 3
    assert s.by_country.to_dict("records") == [{"country": "FI", "notices": 2},
                                               {"country": "BE", "notices": 1}]
    assert s.by_year.to_dict("records") == [{"year": 2024, "notices": 1},
                                            {"year": 2025, "notices": 2}]
    assert not s.fields["completeness"].isna().any()
    assert bool(s.accounting["balanced"].all())


def test_sample_files_skip_licences_and_notes(tmp_path):
    for name in ("a.xml", "SOURCE.md", "LICENSE-x", ".hidden", "sub/b.xml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.name for p in samples.sample_files(tmp_path)] == ["a.xml", "b.xml"]
    assert samples.sample_files(tmp_path / "missing") == []
