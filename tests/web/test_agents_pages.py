"""Agent pages: lists, hire form, detail tabs, lifecycle actions, configuration revisions, keys, runs."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from tests.web.conftest import csrf_of


async def post_pairs(client, url: str, pairs: list[tuple[str, str]], **kwargs):
    """A form with repeated fields (httpx's `data=` takes a dict)."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", **kwargs.pop("headers", {})}
    return await client.post(url, content=urlencode(pairs), headers=headers, **kwargs)


async def _activity(client, company_id: str) -> list[str]:
    return [e["action"] for e in (await client.get(f"/api/companies/{company_id}/activity")).json()]


async def test_agent_lists_filter_by_status(client, company, agent):
    await client.post(f"/api/agents/{agent['id']}/pause")
    page = await client.get("/ACM/agents/all")
    assert page.status_code == 200
    assert "Ada" in page.text and 'href="/ACM/agents/ada"' in page.text
    assert "Ada" in (await client.get("/ACM/agents/paused")).text
    active = await client.get("/ACM/agents/active")
    assert "Ada" not in active.text and "No active agents" in active.text
    redirect = await client.get("/ACM/agents")
    assert redirect.status_code == 303 and redirect.headers["location"] == "/ACM/agents/all"


async def test_empty_agent_list_says_what_to_do(client, company):
    page = await client.get("/ACM/agents/all")
    assert page.status_code == 200
    assert "No agents yet" in page.text and 'href="/ACM/agents/new"' in page.text


async def test_hire_form_creates_agent_with_adapter_config_env_and_budget(client, company):
    form = await client.get("/ACM/agents/new")
    assert form.status_code == 200
    assert 'name="cfg.process.command"' in form.text and 'name="cfg.http.url"' in form.text
    token = await csrf_of(client, "/ACM/agents/new")
    response = await post_pairs(
        client,
        "/ACM/agents/new",
        [
            ("_csrf", token),
            ("name", "Build Bot"),
            ("role", "engineer"),
            ("title", "Builder"),
            ("adapterType", "process"),
            ("cfg.process.command", "python3"),
            ("cfg.process.args", "-c\nprint('hi')"),
            ("cfg.process.timeoutSec", "30"),
            ("cfg.http.url", "http://ignored.example"),
            ("env.name", "API_TOKEN"),
            ("env.value", "s3cret-value"),
            ("env.name", ""),
            ("env.value", ""),
            ("hb.enabled", "on"),
            ("hb.intervalSec", "300"),
            ("hb.wakeOnAssignment", "on"),
            ("hb.maxConcurrentRuns", "1"),
            ("budget", "12.50"),
        ],
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/ACM/agents/build-bot"
    agents = (await client.get(f"/api/companies/{company['id']}/agents")).json()
    bot = agents[0]
    assert bot["adapterConfig"]["command"] == "python3"
    assert bot["adapterConfig"]["args"] == ["-c", "print('hi')"]
    assert bot["adapterConfig"]["timeoutSec"] == 30
    assert "url" not in bot["adapterConfig"]
    assert set(bot["adapterConfig"]["env"]) == {"API_TOKEN"}
    assert bot["runtimeConfig"]["heartbeat"]["intervalSec"] == 300
    assert bot["runtimeConfig"]["heartbeat"]["wakeOnOnDemand"] is False
    assert bot["budgetMonthlyCents"] == 1250
    assert "agent.created" in await _activity(client, company["id"])
    detail = await client.get("/ACM/agents/build-bot/configuration")
    assert "s3cret-value" not in detail.text and "API_TOKEN" in detail.text


async def test_hire_form_shows_field_error_as_fragment(client, company):
    token = await csrf_of(client, "/ACM/agents/new")
    response = await client.post(
        "/ACM/agents/new",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "name": "X", "adapterType": "process", "budget": "lots"},
    )
    assert response.status_code == 400
    assert "amount in dollars" in response.text


async def test_hire_with_required_approval_opens_an_approval(client, company):
    await client.patch(f"/api/companies/{company['id']}", json={"requireBoardApprovalForNewAgents": True})
    token = await csrf_of(client, "/ACM/agents/new")
    response = await client.post(
        "/ACM/agents/new",
        data={"_csrf": token, "name": "Needs Ok", "adapterType": "process", "cfg.process.command": "true"},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ACM/approvals/")
    agents = (await client.get(f"/api/companies/{company['id']}/agents")).json()
    assert agents[0]["status"] == "pending_approval"


async def test_detail_tabs_render(client, company, agent):
    for tab in ("", "/overview", "/configuration", "/runs", "/keys", "/budget"):
        page = await client.get(f"/ACM/agents/ada{tab}")
        assert page.status_code == 200, (tab, page.text[:300])
        assert "Ada" in page.text
    assert (await client.get("/ACM/agents/ada/nope")).status_code == 404
    assert (await client.get("/ACM/agents/nobody")).status_code == 404
    by_id = await client.get(f"/ACM/agents/{agent['id']}")
    assert by_id.status_code == 200


async def test_pause_resume_terminate_through_forms(client, company, agent):
    token = await csrf_of(client, "/ACM/agents/ada")
    response = await client.post("/ACM/agents/ada/pause", data={"_csrf": token, "next": "/ACM/agents/all"})
    assert response.status_code == 303 and response.headers["location"] == "/ACM/agents/all"
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["status"] == "paused"
    response = await client.post("/ACM/agents/ada/resume", data={"_csrf": token}, headers={"X-Fragment": "1"})
    assert response.status_code == 200 and response.headers["x-location"] == "/ACM/agents/ada"
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["status"] == "idle"
    await client.post("/ACM/agents/ada/terminate", data={"_csrf": token})
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["status"] == "terminated"
    actions = await _activity(client, company["id"])
    assert {"agent.paused", "agent.resumed", "agent.terminated"} <= set(actions)
    page = await client.get(f"/ACM/agents/{agent['id']}")
    assert "/pause" not in page.text  # a terminated agent has no controls


async def test_actions_refuse_without_csrf(client, company, agent):
    await csrf_of(client, "/ACM/agents/ada")
    response = await client.post("/ACM/agents/ada/pause", data={})
    assert response.status_code == 403
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["status"] == "idle"


async def test_configuration_save_keeps_secret_and_rollback_restores(client, company):
    created = await client.post(
        f"/api/companies/{company['id']}/agents",
        json={
            "name": "Cfg",
            "adapterType": "process",
            "adapterConfig": {
                "command": "echo",
                "env": {"SECRET_KEY": {"type": "plain", "value": "topsecret"}},
            },
        },
    )
    agent_id = created.json()["id"]
    token = await csrf_of(client, "/ACM/agents/cfg/configuration")
    response = await post_pairs(
        client,
        "/ACM/agents/cfg/configuration",
        [
            ("_csrf", token),
            ("name", "Cfg"),
            ("role", "general"),
            ("adapterType", "process"),
            ("cfg.process.command", "python3"),
            ("env.name", "SECRET_KEY"),
            ("env.value", ""),
            ("hb.maxConcurrentRuns", "1"),
        ],
    )
    assert response.status_code == 303, response.text
    assert response.status_code == 303, response.text
    await post_pairs(
        client,
        "/ACM/agents/cfg/configuration",
        [
            ("_csrf", token),
            ("name", "Cfg"),
            ("adapterType", "process"),
            ("cfg.process.command", "node"),
            ("env.name", "SECRET_KEY"),
            ("env.value", ""),
        ],
    )
    revisions = (await client.get(f"/api/agents/{agent_id}/config-revisions")).json()
    assert len(revisions) == 2 and "adapterConfig" in revisions[1]["changedKeys"]
    page = await client.get("/ACM/agents/cfg/configuration")
    assert "topsecret" not in page.text
    first = revisions[1]["id"]  # newest first: [1] is the save that set python3
    assert f"/revisions/{first}/rollback" in page.text
    response = await client.post(f"/ACM/agents/cfg/revisions/{first}/rollback", data={"_csrf": token})
    assert response.status_code == 303
    config = (await client.get(f"/api/agents/{agent_id}/configuration")).json()
    assert config["adapterConfig"]["command"] == "python3"
    assert config["adapterConfig"]["env"]["SECRET_KEY"]["value"] == "***REDACTED***"
    assert "agent.config_rolled_back" in await _activity(client, company["id"])


async def test_api_key_is_shown_once_and_can_be_revoked(client, company, agent):
    token = await csrf_of(client, "/ACM/agents/ada/keys")
    response = await client.post("/ACM/agents/ada/keys", data={"_csrf": token, "name": "ci"})
    assert response.status_code == 200
    shown = re.search(r'value="(pcp_[0-9a-f]+)"', response.text)
    assert shown, response.text[-2000:]
    me = await client.get("/api/agents/me", headers={"Authorization": f"Bearer {shown.group(1)}"})
    assert me.status_code == 200 and me.json()["id"] == agent["id"]
    again = await client.get("/ACM/agents/ada/keys")
    assert shown.group(1) not in again.text and "ci" in again.text
    key_id = (await client.get(f"/api/agents/{agent['id']}/keys")).json()[0]["id"]
    response = await client.post(f"/ACM/agents/ada/keys/{key_id}/revoke", data={"_csrf": token})
    assert response.status_code == 303
    me = await client.get("/api/agents/me", headers={"Authorization": f"Bearer {shown.group(1)}"})
    assert me.status_code == 401
    assert {"agent.key_created", "agent.key_revoked"} <= set(await _activity(client, company["id"]))


async def test_budget_form_sets_the_agent_budget(client, company, agent):
    token = await csrf_of(client, "/ACM/agents/ada/budget")
    response = await client.post("/ACM/agents/ada/budget", data={"_csrf": token, "budget": "40"})
    assert response.status_code == 303
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["budgetMonthlyCents"] == 4000
    page = await client.get("/ACM/agents/ada/budget")
    assert "$40.00" in page.text


async def test_wake_now_queues_a_run_and_opens_its_page(client, company, agent):
    token = await csrf_of(client, "/ACM/agents/ada")
    response = await client.post("/ACM/agents/ada/wake", data={"_csrf": token})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/ACM/agents/ada/runs/")
    run_id = location.rsplit("/", 1)[1]
    page = await client.get(location)
    assert page.status_code == 200
    assert f'data-run-log="{run_id}"' in page.text and f'data-run-status="{run_id}"' in page.text
    log = await client.get(location + "/log?offset=0")
    assert log.status_code == 200 and log.json()["status"] in ("queued", "running", "succeeded", "failed")
    runs = await client.get("/ACM/agents/ada/runs")
    assert run_id[:8] in runs.text
    assert "heartbeat.invoked" in await _activity(client, company["id"])


async def test_run_log_lines_are_parsed_from_ndjson():
    from paperclip.web.pages.agents import parse_log

    content = '{"ts":"t","stream":"stdout","chunk":"a\\n","seq":1}\n{"ts":"t","stream":"stderr","chunk":"b","seq":2}\n{"ts"'
    lines, offset = parse_log(content, 10)
    assert [line["chunk"] for line in lines] == ["a\n", "b"]
    assert lines[1]["stream"] == "stderr"
    assert offset == 10 + len(content.encode()) - len('{"ts"')


async def test_run_page_shows_the_process_output(app_with_runner, client, company):
    import asyncio

    script = "import sys; print('hello from the run'); print('a <warning>', file=sys.stderr)"
    created = await client.post(
        f"/api/companies/{company['id']}/agents",
        json={
            "name": "Runner",
            "adapterType": "process",
            "adapterConfig": {"command": "python3", "args": ["-c", script]},
        },
    )
    assert created.status_code == 201
    token = await csrf_of(client, "/ACM/agents/runner")
    location = (await client.post("/ACM/agents/runner/wake", data={"_csrf": token})).headers["location"]
    lines, offset, status = [], 0, "queued"
    for _ in range(300):  # until the run finishes (bounded), collecting the log the page's script would poll
        data = (await client.get(f"{location}/log?offset={offset}")).json()
        lines += data["lines"]
        offset, status = data["offset"], data["status"]
        if not data["live"] and not data["more"]:
            break
        await asyncio.sleep(0.1)
    assert status == "succeeded", status
    text = "".join(line["chunk"] for line in lines)
    assert "hello from the run" in text and "a <warning>" in text
    page = await client.get(location)
    assert '<span class="stdout">hello from the run' in page.text
    assert '<span class="stderr">a &lt;warning&gt;' in page.text
    assert "Cancel run" not in page.text


async def test_check_environment_reports_a_missing_command(client, company):
    await client.post(
        f"/api/companies/{company['id']}/agents",
        json={"name": "Broken", "adapterType": "process", "adapterConfig": {"command": "no-such-binary-xyz"}},
    )
    token = await csrf_of(client, "/ACM/agents/broken/configuration")
    fragment = await client.post(
        "/ACM/agents/broken/test-environment", data={"_csrf": token}, headers={"X-Fragment": "1"}
    )
    assert fragment.status_code == 200 and 'id="env-report"' in fragment.text
    assert "fail" in fragment.text and "no-such-binary-xyz" in fragment.text
    page = await client.post("/ACM/agents/broken/test-environment", data={"_csrf": token})
    assert page.status_code == 200 and "Check environment" in page.text and "no-such-binary-xyz" in page.text


async def test_live_fragments_of_list_and_header(client, company, agent):
    section = await client.get("/ACM/agents/all", headers={"X-Fragment": "1"})
    assert section.text.lstrip().startswith("{") is False and 'id="agent-list"' in section.text
    assert "<html" not in section.text
    head = await client.get("/ACM/agents/ada/head", headers={"X-Fragment": "1"})
    assert head.status_code == 200 and 'id="agent-head"' in head.text and "<html" not in head.text
    assert 'name="next" value="/ACM/agents/ada"' in head.text  # not the fragment's own URL


async def test_run_facts_fragment_carries_every_status_dependent_part(client, company, agent, factory):
    run_id = await factory.heartbeat_run(company["id"], agent["id"], status="running")
    run_page = f"/ACM/agents/ada/runs/{run_id}"
    page = await client.get(run_page)
    assert f'data-live-run="{run_id}"' in page.text and 'id="run-timeline"' in page.text
    facts = await client.get(f"{run_page}/facts", headers={"X-Fragment": "1"})
    assert facts.status_code == 200 and "<html" not in facts.text
    ids = re.findall(r"<(?:section|div)[^>]*\sid=\"([a-z-]+)\"", facts.text)
    assert ids == ["run-facts", "agent-head", "run-timeline"]  # swapped in place by id, together
    assert "Cancel run" in facts.text and "Running now" in facts.text
    assert f'name="next" value="{run_page}"' in facts.text  # the head's forms come back to the run

    await factory.set_run_status(run_id, "succeeded")
    facts = await client.get(f"{run_page}/facts", headers={"X-Fragment": "1"})
    assert "Cancel run" not in facts.text and "Running now" not in facts.text
    assert 'data-run-state="succeeded"' in facts.text and "<dt>Cost</dt>" in facts.text


async def test_env_binding_can_reference_a_company_secret(client, company):
    secret = await client.post(
        f"/api/companies/{company['id']}/secrets", json={"name": "OPENAI_KEY", "value": "sk-x1"}
    )
    assert secret.status_code == 201, secret.text
    secret_id = secret.json()["id"]
    form = await client.get("/ACM/agents/new")
    assert f'value="secret:{secret_id}"' in form.text and "Secret: OPENAI_KEY" in form.text
    token = await csrf_of(client, "/ACM/agents/new")
    response = await post_pairs(
        client,
        "/ACM/agents/new",
        [
            ("_csrf", token),
            ("name", "Keyed"),
            ("adapterType", "process"),
            ("cfg.process.command", "true"),
            ("env.name", "OPENAI_API_KEY"),
            ("env.source", f"secret:{secret_id}"),
            ("env.value", ""),
        ],
    )
    assert response.status_code == 303, response.text
    agent = (await client.get(f"/api/companies/{company['id']}/agents")).json()[0]
    binding = agent["adapterConfig"]["env"]["OPENAI_API_KEY"]
    assert binding["type"] == "secret_ref" and binding["secretId"] == secret_id
    page = await client.get("/ACM/agents/keyed/configuration")
    assert f'value="secret:{secret_id}" selected' in page.text and "sk-x1" not in page.text


async def test_action_return_path_stays_on_this_site(client, company, agent):
    token = await csrf_of(client, "/ACM/agents/ada")
    for evil in ("//evil.example/x", "/\\evil.example", "https://evil.example/"):
        response = await client.post("/ACM/agents/ada/pause", data={"_csrf": token, "next": evil})
        assert response.headers["location"] == "/ACM/agents/ada", evil
        await client.post("/ACM/agents/ada/resume", data={"_csrf": token})


async def test_configuration_keeps_an_adapter_that_is_not_installed(client, company):
    created = await client.post(
        f"/api/companies/{company['id']}/agents",
        json={"name": "Plugged", "adapterType": "openclaw", "adapterConfig": {"gateway": "ws://x"}},
    )
    agent_id = created.json()["id"]
    page = await client.get("/ACM/agents/plugged/configuration")
    assert '<option value="openclaw" selected>' in page.text
    token = await csrf_of(client, "/ACM/agents/plugged/configuration")
    response = await post_pairs(
        client,
        "/ACM/agents/plugged/configuration",
        [
            ("_csrf", token),
            ("name", "Plugged"),
            ("adapterType", "openclaw"),
            ("extraConfig", '{"gateway": "ws://y"}'),
        ],
    )
    assert response.status_code == 303, response.text
    config = (await client.get(f"/api/agents/{agent_id}/configuration")).json()
    assert config["adapterType"] == "openclaw" and config["adapterConfig"]["gateway"] == "ws://y"


async def test_runs_tab_filters_by_status(client, company, agent, database_url):
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        for status in ("failed", "succeeded", "succeeded"):
            conn.execute(
                "INSERT INTO heartbeat_runs (id, company_id, agent_id, status, invocation_source, created_at, "
                "updated_at) VALUES (gen_random_uuid(), %s, %s, %s, 'timer', now(), now())",
                (company["id"], agent["id"], status),
            )
    everything = await client.get("/ACM/agents/ada/runs")
    assert everything.text.count("data-run-id=") == 3
    failed = await client.get("/ACM/agents/ada/runs?status=failed")
    assert failed.text.count("data-run-id=") == 1
    assert "No live runs" in (await client.get("/ACM/agents/ada/runs?status=live")).text
    assert (await client.get("/ACM/agents/ada/runs?status=bogus")).text.count("data-run-id=") == 3


async def test_permissions_form(client, company, agent):
    token = await csrf_of(client, "/ACM/agents/ada/configuration")
    response = await client.post("/ACM/agents/ada/permissions", data={"_csrf": token, "canAssignTasks": "on"})
    assert response.status_code == 303
    perms = (await client.get(f"/api/agents/{agent['id']}")).json()["permissions"]
    assert perms["canAssignTasks"] is True and perms["canCreateAgents"] is False
    page = await client.get("/ACM/agents/ada/configuration")
    assert 'name="canAssignTasks" checked' in page.text and 'name="canCreateAgents" checked' not in page.text
    actions = [e["action"] for e in (await client.get(f"/api/companies/{company['id']}/activity")).json()]
    assert "agent.permissions_updated" in actions
