from keino_metrics.report import blocks, toc


def _page(body: str) -> str:
    return f'<html lang="fi"><body><h1>Otsikko</h1>{body}</body></html>'


def test_headings_get_ids_from_their_catalogue_keys_and_the_contents_link_to_them():
    page = _page(blocks.toc_placeholder() + blocks.section("summary", "fi", demo=False)
                 + "<h2>1. Ohjelmaan osallistumisen vaikutus</h2><h2>Jotain muuta</h2>"
                 + "<h2>Jotain muuta</h2>")
    out = toc.add_contents(page, "fi")
    assert 'id="summary"' in out and 'id="effect"' in out
    assert 'id="jotain-muuta"' in out and 'id="jotain-muuta-2"' in out
    nav = out[out.index("<nav"):out.index("</nav>")]
    for ident in ("summary", "effect", "jotain-muuta", "jotain-muuta-2"):
        assert f'href="#{ident}"' in nav
    assert out.index("<nav") < out.index('id="summary"')  # in the placeholder's place
    assert "Sisällys" in nav


def test_a_page_without_a_placeholder_gets_the_contents_before_its_first_section():
    out = toc.add_contents(_page("<p>x</p><h2>Yhteenveto</h2>"), "fi")
    assert out.index("<nav") < out.index("<h2 id=\"summary\">")
    assert toc.add_contents(_page("<p>x</p>"), "fi") == _page("<p>x</p>")


def test_heading_key_ignores_bare_placeholders():
    assert toc.heading_key("Yhteenveto", "fi") == "section.summary"
    assert toc.heading_key("qwerty asdf", "fi") is None
