"""live notify: activity entries and run status changes NOTIFY paperclip_live (the board's SSE)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 18:50:00

Every replica's browsers see every replica's changes: the NOTIFY is sent by the database on commit,
whatever process wrote the row. Payloads are small (ids and a status), well under the 8000-byte limit.
"""

from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE FUNCTION paperclip_live_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('paperclip_live', json_build_object(
    'k', 'activity', 'c', NEW.company_id, 'id', NEW.id, 'a', NEW.action, 't', NEW.entity_type,
    'e', left(NEW.entity_id, 64), 'ag', NEW.agent_id, 'r', NEW.run_id)::text);
  RETURN NULL;
END $$""")
    op.execute("""
CREATE FUNCTION paperclip_live_run() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status THEN
    PERFORM pg_notify('paperclip_live', json_build_object(
      'k', 'run', 'c', NEW.company_id, 'id', NEW.id, 'ag', NEW.agent_id, 's', NEW.status)::text);
  END IF;
  RETURN NULL;
END $$""")
    op.execute("CREATE TRIGGER activity_log_live AFTER INSERT ON activity_log "
               "FOR EACH ROW EXECUTE FUNCTION paperclip_live_activity()")
    op.execute("CREATE TRIGGER heartbeat_runs_live AFTER INSERT OR UPDATE OF status ON heartbeat_runs "
               "FOR EACH ROW EXECUTE FUNCTION paperclip_live_run()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS heartbeat_runs_live ON heartbeat_runs")
    op.execute("DROP TRIGGER IF EXISTS activity_log_live ON activity_log")
    op.execute("DROP FUNCTION IF EXISTS paperclip_live_run()")
    op.execute("DROP FUNCTION IF EXISTS paperclip_live_activity()")
