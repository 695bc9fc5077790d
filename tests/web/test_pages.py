"""Pages and API in-process, on the small fictional plan (shape, language, errors)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_overview_lists_areas_tasks_measures_in_chinese_by_default(mini_client: TestClient) -> None:
    html = mini_client.get("/").text
    assert '<html lang="zh-CN">' in html
    assert "示例区科技创新规划（测试数据）" in html
    assert 'href="/tasks/T1"' in html and "培育创新主体" in html
    assert 'href="/measures/T1.M1"' in html and "建设孵化载体" in html
    assert "示府发〔2022〕1号" in html


def test_language_switch_sets_cookie_and_is_remembered(mini_client: TestClient) -> None:
    r = mini_client.get("/?lang=en")
    assert '<html lang="en">' in r.text and "Grow innovators" in r.text
    assert r.cookies.get("lang") == "en"
    again = mini_client.get("/tasks/T1")
    assert "Grow innovators" in again.text and 'href="/tasks/T1?lang=zh"' in again.text
    mini_client.cookies.clear()


def test_measure_page_shows_target_project_and_linked_term(mini_client: TestClient) -> None:
    html = mini_client.get("/measures/T1.M1").text
    assert "建设孵化载体，到2025年建成3家示范孵化器" in html
    assert "<td>3</td>" in html and "<td>2025</td>" in html
    assert 'href="/places#PL1"' in html
    assert 'href="/glossary#GL1"' in html


def test_unknown_task_is_404_page_and_problem_json(mini_client: TestClient) -> None:
    r = mini_client.get("/tasks/T99")
    assert r.status_code == 404 and "T99" in r.text
    api = mini_client.get("/api/v1/tasks/T99")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["detail"] == "no task 'T99' in version 1"


def test_api_plan_and_pagination(mini_client: TestClient) -> None:
    plan = mini_client.get("/api/v1/plan").json()
    assert plan["code"] == "example-district-plan"
    assert plan["counts"]["measure"] == 1 and plan["counts"]["task"] == 1
    tasks = mini_client.get("/api/v1/tasks", params={"limit": 1}).json()
    assert tasks["total"] == 1 and tasks["items"][0]["title"] == {"zh": "培育创新主体", "en": "Grow innovators"}
    assert mini_client.get("/api/v1/tasks", params={"limit": 0}).status_code == 422
    ind = mini_client.get("/api/v1/indicators/IND_HTE").json()
    assert ind["observations"][0]["value"] == 120 and ind["observations"][0]["source_kind"] == "plan_text"


def test_openapi_and_offline_docs(mini_client: TestClient) -> None:
    spec = mini_client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/plan", "/api/v1/tasks", "/api/v1/measures", "/api/v1/indicators", "/api/v1/places",
            "/api/v1/glossary", "/api/v1/areas"} <= set(spec["paths"])
    docs = mini_client.get("/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert mini_client.get("/static/vendor/echarts.min.js").status_code == 200


def test_task_and_measure_pages_link_to_public_opinions(client: TestClient) -> None:
    assert 'href="/opinions/task/T1"' in client.get("/tasks/T1").text
    assert 'href="/opinions/measure/T1.M1"' in client.get("/measures/T1.M1").text
    assert client.get("/opinions/task/T1").status_code == 200


def test_overview_shows_a_worded_status_for_every_area_and_task(client: TestClient) -> None:
    import re

    html = client.get("/?lang=zh").text
    badges = re.findall(r'<span class="badge badge-(\w+)"[^>]*>([^<]+)</span>', html)
    assert len(badges) == 5 + 12
    assert all(word.strip() for _, word in badges), "never colour alone"
    assert {colour for colour, _ in badges} <= {"green", "yellow", "red", "grey"}
    client.cookies.clear()
