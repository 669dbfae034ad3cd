from keino_metrics.report import render


def test_section_shows_the_banner_only_for_demo_data():
    assert "keino-banner" in render.section("summary", "fi", demo=True)
    assert "keino-banner" not in render.section("samples", "fi", demo=False)
    assert "<h2>Yhteenveto</h2>" in render.section("summary", "fi", demo=False)


def test_metadata_block_masks_machine_dependent_values():
    meta = {"parameters": {"year": 2025, "language": ["en"], "seed": 1, "data_dir": "d"},
            "demo": True,
            "inputs": {"data_dir": [{"path": "d/a", "bytes": 1234, "sha256": "ab"}],
                       "data_dir_digest": "cd", "samples_digest": "ef"},
            "lock_file": {"sha256": "11"}, "git_revision": "abc-dirty",
            "python": "3.11.7", "platform": "Linux", "packages": {"pandas": "3.1"},
            "row_counts": {"lots": 10}}
    html = render.metadata_block(meta, "en")
    for v in ("abc-dirty", "3.11.7", "Linux", "3.1", "11"):
        assert f'<span class="volatile">{v}</span>' in html
    assert "<code>ab</code>" in html and "1,234" in html
