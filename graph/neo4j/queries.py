"""Every Cypher statement the Neo4j store runs, in one place, always parameterized.

Labels and relationship types are fixed here and never built from input. Graph model:

    (:Organization {id, name, ...})-[:IN_MOVEMENT {position}]->(:Movement {id, name, color})
    (:Organization)-[:TIE {kind, strength, since, until, visibility, notes, ...}]->(:Organization)
    (:Introduction {key, a, b, broker, score, reasons, status, ...})
    (:StoreMeta {key: "store", version, audit_seq})   (:SchemaMigration {name, applied_at})
    (:AuditEntry {seq, at, actor, action, kind, key, before, after})   before/after: JSON text

A large write is staged (see ``graph.neo4j.staging``): its new organizations are written
beforehand, in committed batches, as (:StagedOrganization {staged_import,
staged_movements, ...}) nodes with their ties among themselves, and its audit entries as
(:AuditEntry) nodes numbered past ``audit_seq``. Every read names (:Organization) and
counts only entries up to ``audit_seq``, so staged data stays invisible until the write's
own transaction relabels the nodes and moves the counter (``SWITCH_ORGANIZATIONS``,
``SET_AUDIT_SEQ``); what a killed write staged is deleted by the next writer.

Every write transaction starts with ``LOCK_STORE``: it takes the write lock of the one
(:StoreMeta) node, so writes run one at a time (as in SQLite) and each reads what it
then changes (versions, existing records) without another write slipping in between.
Reads of the whole map take the same lock with ``LOCK_FOR_READ`` (no change), so they
see one committed state.
"""

SCHEMA = [
    "CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (o:Organization) REQUIRE o.id IS UNIQUE",
    "CREATE CONSTRAINT movement_id IF NOT EXISTS FOR (m:Movement) REQUIRE m.id IS UNIQUE",
    "CREATE CONSTRAINT introduction_key IF NOT EXISTS FOR (i:Introduction) REQUIRE i.key IS UNIQUE",
    "CREATE CONSTRAINT store_meta_key IF NOT EXISTS FOR (s:StoreMeta) REQUIRE s.key IS UNIQUE",
    "CREATE CONSTRAINT schema_migration_name IF NOT EXISTS FOR (s:SchemaMigration) REQUIRE s.name IS UNIQUE",
    "CREATE INDEX organization_visibility IF NOT EXISTS FOR (o:Organization) ON (o.visibility)",
    "CREATE INDEX tie_kind IF NOT EXISTS FOR ()-[t:TIE]-() ON (t.kind)",
    "CREATE CONSTRAINT audit_entry_seq IF NOT EXISTS FOR (a:AuditEntry) REQUIRE a.seq IS UNIQUE",
    "CREATE INDEX audit_entry_record IF NOT EXISTS FOR (a:AuditEntry) ON (a.kind, a.key)",
    "CREATE CONSTRAINT side_record_key IF NOT EXISTS FOR (s:SideRecord) REQUIRE (s.kind, s.round, s.org) IS UNIQUE",
]
#: The constraints and indexes above, by name, for ``check``.
SCHEMA_NAMES = [statement.split()[2] for statement in SCHEMA]

#: Named migrations after the schema above, recorded as (:SchemaMigration) nodes.
MIGRATIONS: list[tuple[str, list[str]]] = [
    ("0001_initial", []),
    ("0002_audit", ["MATCH (s:StoreMeta {key: 'store'}) SET s.audit_seq = coalesce(s.audit_seq, 0)"]),
    ("0003_side_records", []),
]

APPLIED_MIGRATIONS = "MATCH (s:SchemaMigration) RETURN s.name AS name"
RECORD_MIGRATION = "MERGE (s:SchemaMigration {name: $name}) ON CREATE SET s.applied_at = $now"
ENSURE_META = "MERGE (s:StoreMeta {key: 'store'}) ON CREATE SET s.version = 0, s.audit_seq = 0"
LOCK_STORE = "MATCH (s:StoreMeta {key: 'store'}) SET s.version = s.version + 1 RETURN s.version AS version"
LOCK_FOR_READ = "MATCH (s:StoreMeta {key: 'store'}) SET s.version = s.version RETURN s.version AS version"
READ_VERSION = "MATCH (s:StoreMeta {key: 'store'}) RETURN s.version AS version"
HAS_SCHEMA = "MATCH (s:SchemaMigration {name: '0001_initial'}) RETURN count(s) AS n"

ADD_MOVEMENTS_IF_ABSENT = """
UNWIND $rows AS row
MERGE (m:Movement {id: row.id})
ON CREATE SET m.name = row.name, m.color = row.color
"""
UPSERT_MOVEMENTS = """
UNWIND $rows AS row
MERGE (m:Movement {id: row.id})
SET m.name = row.name, m.color = row.color
"""
MOVEMENT_IDS = "MATCH (m:Movement) WHERE m.id IN $ids RETURN m.id AS id"
ORGANIZATION_IDS = "MATCH (o:Organization) WHERE o.id IN $ids RETURN o.id AS id"

EXISTING_ORGANIZATIONS = """
MATCH (o:Organization) WHERE o.id IN $ids
OPTIONAL MATCH (o)-[r:IN_MOVEMENT]->(m:Movement)
WITH o, r, m ORDER BY r.position
RETURN o {.*} AS org, [x IN collect(m.id) WHERE x IS NOT NULL] AS movements
"""
# New and changed records take separate statements: CREATE needs no lookup, while MERGE
# in a large transaction slows down with every batch (measured: 1 s to 8 s per batch).
STAGE_ORGANIZATIONS = """
UNWIND $rows AS row
CREATE (o:StagedOrganization {id: row.id, staged_import: $stage, staged_movements: row.movements})
SET o += row.props
RETURN o.id AS id, elementId(o) AS element
"""
# Ties among staged organizations join nodes by element id: no index to look up, and no
# lock on a live node the write's own transaction may hold.
STAGE_TIES = """
UNWIND $rows AS row
MATCH (s) WHERE elementId(s) = row.source
MATCH (o) WHERE elementId(o) = row.target
CREATE (s)-[t:TIE {kind: row.kind}]->(o)
SET t += row.props
"""
# The switch-over, in the write's own transaction: the relabelled nodes and their
# movement links become visible together when it commits.
SWITCH_ORGANIZATIONS = """
MATCH (o:StagedOrganization) WHERE o.staged_import = $stage
REMOVE o:StagedOrganization
SET o:Organization
WITH o, o.staged_movements AS movements
REMOVE o.staged_import, o.staged_movements
WITH o, movements
UNWIND range(0, size(movements) - 1) AS position
MATCH (m:Movement {id: movements[position]})
CREATE (o)-[:IN_MOVEMENT {position: position}]->(m)
"""
LEFTOVERS = """
MATCH (s:StoreMeta {key: 'store'})
RETURN COLLECT { MATCH (o:StagedOrganization) RETURN DISTINCT o.staged_import } AS imports,
       EXISTS { MATCH (a:AuditEntry) WHERE a.seq > s.audit_seq } AS entries, s.audit_seq AS seq
"""
# Run as auto-commit statements, so a large leftover is deleted in small transactions.
DELETE_STAGED_ORGANIZATIONS = """
MATCH (o:StagedOrganization) WHERE o.staged_import IN $imports
CALL (o) { DETACH DELETE o } IN TRANSACTIONS OF 1000 ROWS
"""
DELETE_AUDIT_ENTRIES_AFTER = """
MATCH (a:AuditEntry) WHERE a.seq > $seq
CALL (a) { DELETE a } IN TRANSACTIONS OF 5000 ROWS
"""

CREATE_ORGANIZATIONS = """
UNWIND $rows AS row
CREATE (o:Organization {id: row.id})
SET o += row.props
WITH o, row
UNWIND range(0, size(row.movements) - 1) AS position
MATCH (m:Movement {id: row.movements[position]})
CREATE (o)-[:IN_MOVEMENT {position: position}]->(m)
"""
UPDATE_ORGANIZATIONS = """
UNWIND $rows AS row
MATCH (o:Organization {id: row.id})
SET o += row.props
WITH o, row
OPTIONAL MATCH (o)-[old:IN_MOVEMENT]->()
DELETE old
WITH DISTINCT o, row
UNWIND range(0, size(row.movements) - 1) AS position
MATCH (m:Movement {id: row.movements[position]})
CREATE (o)-[:IN_MOVEMENT {position: position}]->(m)
"""

EXISTING_TIES = """
UNWIND $keys AS key
MATCH (s:Organization {id: key.source})-[t:TIE {kind: key.kind}]->(o:Organization {id: key.target})
RETURN s.id AS source, o.id AS target, t {.*} AS tie
"""
CREATE_TIES = """
UNWIND $rows AS row
MATCH (s:Organization {id: row.source}), (o:Organization {id: row.target})
CREATE (s)-[t:TIE {kind: row.kind}]->(o)
SET t += row.props
"""
UPDATE_TIES = """
UNWIND $rows AS row
MATCH (s:Organization {id: row.source})-[t:TIE {kind: row.kind}]->(o:Organization {id: row.target})
SET t += row.props
"""

EXISTING_INTRODUCTIONS = "MATCH (i:Introduction) WHERE i.key IN $keys RETURN i {.*} AS intro"
UPSERT_INTRODUCTIONS = """
UNWIND $rows AS row
MERGE (i:Introduction {key: row.key})
SET i += row.props
"""

DELETE_ORGANIZATION = """
MATCH (o:Organization {id: $id})
OPTIONAL MATCH (o)-[t:TIE]-()
WITH o, count(t) AS ties
OPTIONAL MATCH (i:Introduction) WHERE i.a = $id OR i.b = $id
DETACH DELETE i
WITH DISTINCT o, ties
OPTIONAL MATCH (b:Introduction {broker: $id})
REMOVE b.broker
WITH DISTINCT o, ties
DETACH DELETE o
RETURN ties
"""
DELETE_TIES = """
MATCH (s:Organization)-[t:TIE]-(o:Organization)
WHERE s.id = $source AND o.id = $target AND ($kind IS NULL OR t.kind = $kind)
DELETE t
RETURN count(t) AS removed
"""
GET_TIE = """
MATCH (s:Organization {id: $source})-[t:TIE {kind: $kind}]->(o:Organization {id: $target})
RETURN s.id AS source, o.id AS target, t {.*} AS tie
"""
MATCHING_TIES = """
MATCH (s:Organization)-[t:TIE]-(o:Organization)
WHERE s.id = $source AND o.id = $target AND ($kind IS NULL OR t.kind = $kind)
RETURN startNode(t).id AS source, endNode(t).id AS target, t {.*} AS tie
"""
ORGANIZATION_TIES = """
MATCH (o:Organization {id: $id})-[t:TIE]-(:Organization)
RETURN startNode(t).id AS source, endNode(t).id AS target, t {.*} AS tie
"""
ORGANIZATION_INTRODUCTIONS = "MATCH (i:Introduction) WHERE i.a = $id OR i.b = $id RETURN i {.*} AS intro"
BROKERED_INTRODUCTIONS = """
MATCH (i:Introduction {broker: $id}) WHERE i.a <> $id AND i.b <> $id
RETURN i {.*} AS intro
"""
# Clearing retires the organizations (and so their ties) as staged ones of a dead write
# (``$stage``) instead of deleting them: a transaction deleting a national map does not
# fit a 1 GB heap, a relabelling does, and the next writer deletes them in small
# transactions (``DELETE_STAGED_ORGANIZATIONS``).
CLEAR = [
    "MATCH (s:SideRecord) DETACH DELETE s",
    "MATCH (i:Introduction) DETACH DELETE i",
    "MATCH (m:Movement) DETACH DELETE m",
    "MATCH (o:Organization) REMOVE o:Organization SET o:StagedOrganization, o.staged_import = $stage",
]

# Side records (survey rounds, links, answers; meeting snapshots) beside the map; ``body`` is JSON text.
WRITE_SIDE_RECORDS = """
UNWIND $rows AS row
MERGE (s:SideRecord {kind: row.kind, round: row.round, org: row.org})
SET s.body = row.body
"""
SIDE_RECORDS = """
MATCH (s:SideRecord)
WHERE ($kind IS NULL OR s.kind = $kind) AND ($round IS NULL OR s.round = $round)
RETURN s.kind AS kind, s.round AS round, s.org AS org, s.body AS body
ORDER BY kind, round, org
"""

GET_ORGANIZATION = """
MATCH (o:Organization {id: $id})
OPTIONAL MATCH (o)-[r:IN_MOVEMENT]->(m:Movement)
WITH o, r, m ORDER BY r.position
RETURN o {.*} AS org, [x IN collect(m.id) WHERE x IS NOT NULL] AS movements
"""
ALL_MOVEMENTS = "MATCH (m:Movement) RETURN m.id AS id, m.name AS name, m.color AS color ORDER BY id"
# The whole map is read in pages that follow an index in its order (``$after`` is the
# last key of the page before), so the server never sorts or holds all of it at once.
ORGANIZATIONS_AFTER = """
MATCH (o:Organization) WHERE o.id > $after
WITH o ORDER BY o.id LIMIT $limit
OPTIONAL MATCH (o)-[r:IN_MOVEMENT]->(m:Movement)
WITH o, r, m ORDER BY r.position
RETURN o {.*} AS org, [x IN collect(m.id) WHERE x IS NOT NULL] AS movements
ORDER BY org.id
"""
TIES_FROM = """
UNWIND $ids AS id
MATCH (s:Organization {id: id})-[t:TIE]->(o:Organization)
RETURN s.id AS source, o.id AS target, t {.*} AS tie
ORDER BY source, target, t.kind
"""
INTRODUCTIONS_AFTER = """
MATCH (i:Introduction) WHERE i.key > $after
RETURN i {.*} AS intro
ORDER BY i.key LIMIT $limit
"""
COUNTS = """
CALL () { MATCH (m:Movement) RETURN count(m) AS movements }
CALL () { MATCH (o:Organization) RETURN count(o) AS organizations }
CALL () { MATCH (:Organization)-[t:TIE]->() RETURN count(t) AS ties }
CALL () { MATCH (i:Introduction) RETURN count(i) AS introductions }
RETURN movements, organizations, ties, introductions
"""

# audit -------------------------------------------------------------------------------
AUDIT_SEQ = "MATCH (s:StoreMeta {key: 'store'}) RETURN coalesce(s.audit_seq, 0) AS seq"
SET_AUDIT_SEQ = "MATCH (s:StoreMeta {key: 'store'}) SET s.audit_seq = $seq"
CREATE_AUDIT_ENTRIES = """
UNWIND $rows AS row
CREATE (a:AuditEntry)
SET a = row
"""
# Entries past ``audit_seq`` are staged by a write not yet committed (or left by a killed
# one): never shown.
AUDIT_ENTRIES = """
MATCH (s:StoreMeta {key: 'store'})
MATCH (a:AuditEntry) WHERE a.seq <= s.audit_seq
  AND ($since IS NULL OR a.at >= $since) AND ($kind IS NULL OR a.kind = $kind)
  AND ($key IS NULL OR a.key = $key) AND ($after IS NULL OR a.seq > $after)
RETURN a {.*} AS entry
ORDER BY a.seq DESC
LIMIT $limit
"""
RENAMES = """
MATCH (s:StoreMeta {key: 'store'})
MATCH (a:AuditEntry) WHERE a.seq <= s.audit_seq AND a.kind = 'organization' AND a.action = 'update' AND a.before CONTAINS '"name":'
RETURN a.key AS key, a.before AS before ORDER BY a.seq
"""
AUDIT_AFTER = """
MATCH (a:AuditEntry) WHERE a.seq > $after AND a.seq <= $top
RETURN a {.*} AS entry
ORDER BY a.seq LIMIT $limit
"""

# integrity checks: each returns one ``problem`` sentence per row --------------------
SHOW_SCHEMA_NAMES = ["SHOW CONSTRAINTS YIELD name RETURN name", "SHOW INDEXES YIELD name RETURN name"]
CHECKS = [
    """MATCH (s:StoreMeta) WITH count(s) AS n WHERE n <> 1
       RETURN 'the store holds ' + toString(n) + ' version counters instead of one' AS problem""",
    """MATCH (o:Organization) WHERE NOT (o)-[:IN_MOVEMENT]->(:Movement)
       RETURN 'organization ' + o.id + ' belongs to no movement' AS problem""",
    """MATCH (o:Organization)-[:IN_MOVEMENT]->(m) WHERE NOT m:Movement
       RETURN 'organization ' + o.id + ' names something that is not a movement' AS problem""",
    """MATCH (o:Organization) WHERE o.name IS NULL OR o.version IS NULL OR o.version < 1
       RETURN 'organization ' + o.id + ' has no name or no valid version' AS problem""",
    """MATCH (o:Organization)
       WHERE NOT o.visibility IN ['public', 'coalition', 'private']
          OR NOT o.contact_visibility IN ['public', 'coalition', 'private']
       RETURN 'organization ' + o.id + ' has an unknown visibility' AS problem""",
    """MATCH (a)-[t:TIE]->(b) WHERE NOT (a:Organization AND b:Organization)
         AND NOT (a:StagedOrganization AND b:StagedOrganization)
       RETURN 'a ' + coalesce(t.kind, '') + ' tie joins something that is not an organization' AS problem""",
    """MATCH (s:Organization)-[t:TIE]->(o:Organization)
       WHERE t.kind IS NULL OR NOT t.visibility IN ['public', 'coalition', 'private']
          OR t.version IS NULL OR t.version < 1
       RETURN 'tie ' + s.id + ' -> ' + o.id + ' (' + coalesce(t.kind, 'no kind') + ') has an unknown kind, '
              + 'visibility or version' AS problem""",
    """MATCH (s:Organization)-[t:TIE]->(o:Organization) WITH s, o, t.kind AS kind, count(t) AS n WHERE n > 1
       RETURN 'tie ' + s.id + ' -> ' + o.id + ' (' + kind + ') is stored ' + toString(n) + ' times' AS problem""",
    """MATCH (i:Introduction)
       WHERE NOT EXISTS { MATCH (x:Organization) WHERE x.id = i.a }
          OR NOT EXISTS { MATCH (y:Organization) WHERE y.id = i.b }
       RETURN 'introduction ' + coalesce(i.a, '?') + ' / ' + coalesce(i.b, '?')
              + ' points at a missing organization' AS problem""",
    """MATCH (i:Introduction) WHERE i.broker IS NOT NULL AND NOT EXISTS { MATCH (x:Organization) WHERE x.id = i.broker }
       RETURN 'introduction ' + i.a + ' / ' + i.b + ' names a missing broker ' + i.broker AS problem""",
    """MATCH (i:Introduction) WHERE NOT i.a < i.b OR i.key <> i.a + '|' + i.b
       RETURN 'introduction ' + coalesce(i.key, '?') + ' is not stored in order (a|b with a before b)' AS problem""",
]
#: At most this many problems of one check are listed.
PER_CHECK = 50
