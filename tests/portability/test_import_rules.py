"""Import rules through the API on a real PostgreSQL: the original's package, collision strategies, the dry
run, one transaction, and every kind of bad input answered with a 4xx naming the file (never a 500)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from porto_helpers import export, read_package, seed, snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "original-export"
MINIMAL = {
    "COMPANY.md": '---\nname: "Tiny Co"\n---\n',
    "agents/boss/AGENTS.md": '---\nname: "Boss"\n---\n\nLead.\n',
    "tasks/first/TASK.md": '---\nname: "First"\nassignee: "boss"\n---\n\nDo it.\n',
}


def body(files, **extra):
    return {"source": {"type": "inline", "files": files}, "target": {"mode": "new_company"}, **extra}


async def counts(api) -> dict:
    companies = await api.ok("GET", "/api/companies")
    out = {"companies": len(companies)}
    for c in companies:
        out[c["id"]] = (
            len(await api.ok("GET", f"/api/companies/{c['id']}/agents")),
            len(await api.ok("GET", f"/api/companies/{c['id']}/projects")),
            len(await api.ok("GET", f"/api/companies/{c['id']}/issues")),
        )
    return out


async def test_a_package_exported_by_the_original_imports(api):
    files = read_package(FIXTURE)
    preview = await api.ok("POST", "/api/companies/import/preview", json=body(files))
    assert [p["slug"] for p in preview["plan"]["agentPlans"]] == ["ceo-bot", "engineer-one"]
    assert any(
        p["reason"] == "Recurring task will be imported as a routine." for p in preview["plan"]["issuePlans"]
    )
    assert preview["errors"] == []
    result = await api.ok("POST", "/api/companies/import", json=body(files))
    cid = result["company"]["id"]
    assert result["company"]["name"] == "Acme Porto"
    agents = {a["name"]: a for a in await api.ok("GET", f"/api/companies/{cid}/agents")}
    assert set(agents) == {"Ceo Bot", "Engineer One"}
    assert agents["Engineer One"]["reportsTo"] == agents["Ceo Bot"]["id"]
    assert agents["Ceo Bot"]["runtimeConfig"]["heartbeat"]["enabled"] is False  # was on in the original
    assert agents["Ceo Bot"]["adapterConfig"]["args"] == ["-c", "print(1)"]
    assert agents["Engineer One"]["adapterType"] == "claude_local"
    projects = await api.ok("GET", f"/api/companies/{cid}/projects")
    assert [(p["name"], p["status"], p["targetDate"], p["leadAgentId"]) for p in projects] == [
        ("Website Revamp", "in_progress", "2027-01-31", agents["Engineer One"]["id"])
    ]
    issues = {i["title"]: i for i in await api.ok("GET", f"/api/companies/{cid}/issues")}
    assert {"Design the landing page", "Write copy", "Unassigned chore"} <= set(issues)
    assert issues["Write copy"]["parentId"] == issues["Design the landing page"]["id"]
    assert issues["Design the landing page"]["priority"] == "high"
    assert issues["Design the landing page"]["createdAt"] == "2026-12-04T21:36:32.864Z"
    assert issues["Unassigned chore"]["status"] == "done"
    routines = await api.ok("GET", f"/api/companies/{cid}/routines")
    assert [(r["title"], r["assigneeAgentId"], r["status"]) for r in routines] == [
        ("Daily standup review", agents["Ceo Bot"]["id"], "active")
    ]
    triggers = sorted((t["kind"], t["cronExpression"], t["timezone"]) for t in routines[0]["triggers"])
    assert triggers == [("schedule", "0 9 * * 1-5", "Europe/Berlin"), ("webhook", None, None)]
    assert "Daily standup review" not in issues  # a routine, not an issue


async def test_dry_run_writes_nothing_and_plans_what_the_apply_does(api):
    seeded = await seed(api)
    cid = seeded["company"]["id"]
    files = (await export(api, cid))["files"]
    before = await counts(api)
    req = body(
        files,
        target={"mode": "existing_company", "companyId": cid},
        collisionStrategy="rename",
        secretValues={"OPENAI_API_KEY": "x"},
    )
    preview = await api.ok("POST", "/api/companies/import/preview", json=req)
    assert await counts(api) == before
    assert [(p["slug"], p["action"], p["plannedName"]) for p in preview["plan"]["agentPlans"]] == [
        ("ceo-bot", "create", "Ceo Bot 2"),
        ("engineer-one", "create", "Engineer One 2"),
    ]
    result = await api.ok("POST", "/api/companies/import", json=req)
    assert [(a["slug"], a["name"]) for a in result["agents"]] == [
        ("ceo-bot", "Ceo Bot 2"),
        ("engineer-one", "Engineer One 2"),
    ]
    assert [(p["slug"], p["name"]) for p in result["projects"]] == [("website-revamp", "Website Revamp 2")]


async def test_skip_and_replace(api):
    seeded = await seed(api)
    cid = seeded["company"]["id"]
    files = (await export(api, cid, agents=True, projects=True))["files"]
    files[".paperclip.yaml"] = files[".paperclip.yaml"].replace('role: "engineer"', 'role: "designer"')
    req = body(
        files, target={"mode": "existing_company", "companyId": cid}, secretValues={"OPENAI_API_KEY": "v2"}
    )
    skipped = await api.ok("POST", "/api/companies/import", json={**req, "collisionStrategy": "skip"})
    assert {a["action"] for a in skipped["agents"]} == {"skipped"}
    eng = await api.ok("GET", f"/api/agents/{seeded['eng']['id']}")
    assert eng["role"] == "engineer"
    replaced = await api.ok("POST", "/api/companies/import", json={**req, "collisionStrategy": "replace"})
    assert {a["action"] for a in replaced["agents"]} == {"updated"}
    assert {a["id"] for a in replaced["agents"]} == {seeded["ceo"]["id"], seeded["eng"]["id"]}
    eng = await api.ok("GET", f"/api/agents/{seeded['eng']['id']}")
    assert eng["role"] == "designer" and eng["runtimeConfig"]["heartbeat"]["enabled"] is False
    assert len(await api.ok("GET", f"/api/companies/{cid}/agents")) == 2
    # the safe route never replaces
    r = await api.client.post(
        f"/api/companies/{cid}/imports/apply", json={**req, "collisionStrategy": "replace"}
    )
    assert r.status_code == 403 and "replace" in r.json()["error"]


async def test_replace_refuses_an_agent_that_is_running(api, database_url):
    seeded = await seed(api)
    cid = seeded["company"]["id"]
    files = (await export(api, cid, agents=True))["files"]
    with psycopg.connect(
        database_url.replace("+psycopg", "").replace("+asyncpg", ""), autocommit=True
    ) as conn:
        conn.execute("UPDATE agents SET status = 'running' WHERE id = %s", (seeded["eng"]["id"],))
    req = body(
        files,
        target={"mode": "existing_company", "companyId": cid},
        collisionStrategy="replace",
        secretValues={"OPENAI_API_KEY": "v2"},
    )
    preview = await api.ok("POST", "/api/companies/import/preview", json=req)
    assert any("Engineer One" in e and "running" in e for e in preview["errors"])
    before = await snapshot(api, cid)
    r = await api.client.post("/api/companies/import", json=req)
    assert r.status_code == 409, r.text
    assert "Engineer One" in r.json()["error"]
    assert await snapshot(api, cid) == before


async def test_a_failure_on_the_last_item_leaves_the_target_unchanged(api, database_url):
    seeded = await seed(api)
    cid = seeded["company"]["id"]
    files = dict(MINIMAL)
    files["tasks/zzz-last/TASK.md"] = '---\nname: "Boom"\n---\n'
    with psycopg.connect(
        database_url.replace("+psycopg", "").replace("+asyncpg", ""), autocommit=True
    ) as conn:
        conn.execute("""CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.title = 'Boom' THEN RAISE EXCEPTION 'the last task failed'; END IF; RETURN NEW; END $$""")
        conn.execute("CREATE TRIGGER boom BEFORE INSERT ON issues FOR EACH ROW EXECUTE FUNCTION boom()")
    before, snap = await counts(api), await snapshot(api, cid)
    for target in ({"mode": "existing_company", "companyId": cid}, {"mode": "new_company"}):
        r = await api.client.post("/api/companies/import", json=body(files, target=target))
        assert r.status_code == 422, r.text
        assert "nothing was imported" in r.json()["error"] and "the last task failed" in r.json()["error"]
        assert await counts(api) == before
    assert await snapshot(api, cid) == snap


async def test_required_secret_inputs_must_be_supplied(api):
    files = dict(MINIMAL)
    files[".paperclip.yaml"] = (
        'schema: "paperclip/v1"\nagents:\n  boss:\n    inputs:\n      env:\n        API_TOKEN:\n'
        '          kind: "secret"\n          requirement: "required"\n'
    )
    before = await counts(api)
    r = await api.client.post("/api/companies/import", json=body(files))
    assert r.status_code == 422 and "API_TOKEN for agent boss" in r.json()["error"]
    assert await counts(api) == before
    ok = await api.ok(
        "POST", "/api/companies/import", json=body(files, secretValues={"boss.API_TOKEN": "t0k"})
    )
    boss = await api.ok("GET", f"/api/agents/{ok['agents'][0]['id']}")
    assert boss["adapterConfig"]["env"]["API_TOKEN"]["type"] == "secret_ref"
    assert "t0k" not in str(boss) and "t0k" not in str(ok)


@pytest.mark.parametrize(
    "path",
    [
        "../evil/AGENTS.md",
        "/etc/passwd",
        "agents/../../x.md",
        "agents\\x\\AGENTS.md",
        "C:/x.md",
        "agents//AGENTS.md",
        "./COMPANY.md",
    ],
)
async def test_path_tricks_are_refused(api, path):
    before = await counts(api)
    r = await api.client.post("/api/companies/import", json=body({**MINIMAL, path: "x"}))
    assert r.status_code == 400, r.text
    assert path in r.json()["error"]
    assert await counts(api) == before


@pytest.mark.parametrize(
    "files,status,needle",
    [
        ({"agents/a/AGENTS.md": "x"}, 400, "COMPANY.md"),
        ({**MINIMAL, ".paperclip.yaml": "agents: [unclosed\n"}, 400, ".paperclip.yaml at line"),
        ({**MINIMAL, "COMPANY.md": "---\nname: Tiny\n"}, 400, "COMPANY.md"),
        ({**MINIMAL, "COMPANY.md": "---\n- a list\n---\n"}, 400, "COMPANY.md"),
        ({**MINIMAL, "COMPANY.md": "---\ndescription: no name\n---\n"}, 422, "COMPANY.md: field name"),
        ({**MINIMAL, ".paperclip.yaml": "agents:\n  ghost:\n    role: ceo\n"}, 422, "agents/ghost/AGENTS.md"),
        (
            {**MINIMAL, "tasks/first/TASK.md": '---\nname: "First"\nproject: "nowhere"\n---\n'},
            422,
            "projects/nowhere/PROJECT.md",
        ),
        (
            {**MINIMAL, ".paperclip.yaml": "tasks:\n  first:\n    status: sideways\n"},
            422,
            "tasks/first/TASK.md: status",
        ),
        (
            {**MINIMAL, ".paperclip.yaml": "agents:\n  boss:\n    role: overlord\n"},
            422,
            "agents/boss/AGENTS.md",
        ),
        (
            {**MINIMAL, ".paperclip.yaml": "agents:\n  boss:\n    budgetMonthlyCents: lots\n"},
            422,
            "budgetMonthlyCents",
        ),
        ({**MINIMAL, "agents/boss/AGENTS.md": "x" * (1024 * 1024 + 1)}, 413, "agents/boss/AGENTS.md"),
    ],
)
async def test_bad_packages_get_a_4xx_naming_the_file(api, files, status, needle):
    before = await counts(api)
    r = await api.client.post("/api/companies/import", json=body(files))
    assert r.status_code == status, r.text
    assert needle in r.json()["error"], r.json()
    assert await counts(api) == before
    preview = await api.client.post("/api/companies/import/preview", json=body(files))
    assert preview.status_code == status


async def test_unknown_fields_are_warnings_as_in_the_original(api):
    files = {
        **MINIMAL,
        "COMPANY.md": '---\nname: "Tiny Co"\nmascot: "owl"\n---\n',
        ".paperclip.yaml": 'schema: "paperclip/v1"\nflavour: 1\nagents:\n  boss:\n    shoeSize: 9\n',
        "notes/todo.txt": "hello",
    }
    result = await api.ok("POST", "/api/companies/import", json=body(files))
    text = "\n".join(result["warnings"])
    assert "COMPANY.md: unknown field mascot ignored" in text
    assert ".paperclip.yaml: unknown field flavour ignored" in text
    assert "agents.boss: unknown field shoeSize ignored" in text
    assert "notes/todo.txt" in text


async def test_other_sources_and_targets_are_clear_errors(api):
    r = await api.client.post(
        "/api/companies/import",
        json={"source": {"type": "github", "url": "https://x.y/z"}, "target": {"mode": "new_company"}},
    )
    assert r.status_code == 422 and "source" in r.text
    r = await api.client.post("/api/companies/import", json=body(MINIMAL, collisionStrategy="merge"))
    assert r.status_code == 400 and "collisionStrategy" in r.json()["error"]
    r = await api.client.post(
        "/api/companies/import", json=body(MINIMAL, target={"mode": "existing_company"})
    )
    assert r.status_code == 400
