"""Hand-written SQL of storage clean-up (see paperclip.db.rawsql)."""

from __future__ import annotations

from paperclip.db.rawsql import Sql

# The company's assets among :ids that nothing references any more: no attachment or logo row, and no
# text of the company that can show an image names it (rows of :issue, being deleted, do not count).
FORGET_UNREFERENCED_IMAGES = Sql("""
    DELETE FROM assets a
    WHERE a.company_id = :cid AND a.id = ANY(CAST(:ids AS uuid[]))
      AND NOT EXISTS (SELECT 1 FROM issue_attachments t WHERE t.asset_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM companies c WHERE c.logo_asset_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM issue_comments c WHERE c.company_id = :cid AND c.issue_id IS DISTINCT FROM CAST(:issue AS uuid)
                      AND strpos(c.body, a.id::text) > 0)
      AND NOT EXISTS (SELECT 1 FROM issues i WHERE i.company_id = :cid AND i.id IS DISTINCT FROM CAST(:issue AS uuid)
                      AND strpos(coalesce(i.description, ''), a.id::text) > 0)
      AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.company_id = :cid
                      AND strpos(d.latest_body, a.id::text) > 0
                      AND NOT EXISTS (SELECT 1 FROM issue_documents x WHERE x.document_id = d.id AND x.issue_id = CAST(:issue AS uuid)))
      AND NOT EXISTS (SELECT 1 FROM document_revisions r WHERE r.company_id = :cid
                      AND strpos(r.body, a.id::text) > 0
                      AND NOT EXISTS (SELECT 1 FROM issue_documents x WHERE x.document_id = r.document_id
                                      AND x.issue_id = CAST(:issue AS uuid)))
      AND NOT EXISTS (SELECT 1 FROM approval_comments c WHERE c.company_id = :cid AND strpos(c.body, a.id::text) > 0)
      AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.company_id = :cid AND strpos(coalesce(p.description, ''), a.id::text) > 0)
      AND NOT EXISTS (SELECT 1 FROM goals g WHERE g.company_id = :cid AND strpos(coalesce(g.description, ''), a.id::text) > 0)
      AND NOT EXISTS (SELECT 1 FROM companies c WHERE c.id = :cid AND strpos(coalesce(c.description, ''), a.id::text) > 0)
    RETURNING a.provider, a.object_key
""")

# Every text of an issue that can show an image: its description, comments and documents' revisions.
ISSUE_TEXTS = Sql("""
    SELECT i.company_id, i.description AS body FROM issues i WHERE i.id = :issue
    UNION ALL SELECT c.company_id, c.body FROM issue_comments c WHERE c.issue_id = :issue
    UNION ALL SELECT d.company_id, d.latest_body FROM documents d JOIN issue_documents x ON x.document_id = d.id
              WHERE x.issue_id = :issue
    UNION ALL SELECT r.company_id, r.body FROM document_revisions r JOIN issue_documents x ON x.document_id = r.document_id
              WHERE x.issue_id = :issue
""")
