"""The language check, in a real browser: on a Chinese page no English word outside codes (web addresses,
tokens with _ . - or digits, all-capital abbreviations), text marked as another language (``lang``), text people
typed (``.user-text``), source notes cited as recorded (``.source-text``), the values of open-data tables as
stored, and a short list of proper nouns and file formats; on an English page no Chinese character outside such
text and quotations. test_all_pages.py runs it on every page and role in both languages; here a planted English
sentence on a Chinese page (and Chinese on an English page) makes the check fail (control)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = ["/", "/index", "/monitoring/indicators/IDX_BizConf", "/tasks/T99"]
PROPER = ["kechuang", "GeoJSON", "zip", "Frictionless", "Data", "Package", "datapackage", "json", "Slush", "npm",
          "echarts", "china", "cities", "js", "Word", "Excel", "Sobol", "Monte", "Carlo", "Pearson", "COINr",
          # values of the open-data columns, named in the tables' descriptions as they appear in the files
          "approximate", "true", "published", "submission", "demo"]
LEAKS = r"""([lang, proper]) => {
  const other = (el) => { const marked = el.closest('[lang]'); return marked && marked !== document.documentElement
                          && !marked.getAttribute('lang').startsWith(lang === 'zh' ? 'zh' : 'en'); };
  // open-data tables show the values as stored in the files; source notes (.source-text) are cited as recorded
  const skip = (el) => el.closest('code, kbd, script, style, svg, .user-text, .source-text, table.data td')
                       || other(el);
  const found = []; const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement; const text = node.textContent;
    if (!el || skip(el) || !text.trim()) continue;
    if (lang === 'zh') {
      // a web address, a token with _ . - or a digit, and an all-capital abbreviation (KW, SDSN) are codes
      const words = (text.replace(/https?:\/\/\S+/g, '').match(/[A-Za-z][A-Za-z0-9_.-]*/g) || [])
        .filter((w) => w.length > 1 && !/[_.0-9-]/.test(w) && !/^[A-Z]+$/.test(w) && !proper.includes(w));
      if (words.length) found.push(words.join(' ') + ' ← ' + text.trim().slice(0, 80));
    } else {
      // quotations, and a Chinese name quoted in an English sentence ('打造区校融合升级版' is at stage …)
      const unquoted = text.replace(/"[^"]*"|“[^”]*”|「[^」]*」|‘[^’]*’|'[^'\n]*[\u4e00-\u9fff][^'\n]*'/g, '');
      if (/[\u4e00-\u9fff]/.test(unquoted)) found.push(text.trim().slice(0, 80));
    }
  }
  return found; }"""


def leaks(page, lang: str) -> list[str]:  # type: ignore[no-untyped-def]
    return list(page.evaluate(LEAKS, [lang, PROPER]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_public_pages_speak_one_language(browser, demo_server: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    found = {}
    for path in PAGES:
        page.goto(f"{demo_server}{path}?lang={lang}")
        if leaked := leaks(page, lang):
            found[path] = leaked[:5]
    assert found == {}
    planted = "Planted English sentence" if lang == "zh" else "植入的中文句子"  # control
    page.evaluate("(text) => { const p = document.createElement('p'); p.textContent = text; "
                  "document.querySelector('main').appendChild(p); }", planted)
    assert leaks(page, lang) and planted in leaks(page, lang)[0]
    context.close()


def test_error_pages_speak_chinese(browser, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(demo_server + "/tasks/T99?lang=zh")
    assert response is not None and response.status == 404
    assert page.locator("#error-text").inner_text().startswith("没有找到对应的内容")
    page.goto(demo_server + "/login")
    page.fill("input[name=username]", "demo-sw-reporter")
    page.fill("input[name=password]", "kechuang-demo")
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    response = page.goto(demo_server + "/dashboard?lang=zh")
    assert response is not None and response.status == 403
    text = page.locator("#error-text").inner_text()
    assert text.startswith("当前账号 demo-sw-reporter（部门填报员）无权访问")
    assert leaks(page, "zh") == []
    page.goto(demo_server + "/inbox?lang=en")  # the department's name in English on English pages
    assert page.locator("h1").inner_text() == "My inbox · District Commerce Commission (demo)"
    context.close()
