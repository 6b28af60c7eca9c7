"""Every Cypher statement the Neo4j store runs, in one place, always parameterized.

Labels and relationship types are fixed here and never built from input. Graph model:

    (:Organization {id, name, ...})-[:IN_MOVEMENT {position}]->(:Movement {id, name, color})
    (:Organization)-[:TIE {kind, strength, since, until, visibility, notes, ...}]->(:Organization)
    (:Introduction {key, a, b, broker, score, reasons, status, ...})
    (:StoreMeta {key: "store", version, audit_seq})   (:SchemaMigration {name, applied_at})
    (:AuditEntry {seq, at, actor, action, kind, key, before, after})   before/after: JSON text

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
]
#: The constraints and indexes above, by name, for ``check``.
SCHEMA_NAMES = [statement.split()[2] for statement in SCHEMA]

#: Named migrations after the schema above, recorded as (:SchemaMigration) nodes.
MIGRATIONS: list[tuple[str, list[str]]] = [
    ("0001_initial", []),
    ("0002_audit", ["MATCH (s:StoreMeta {key: 'store'}) SET s.audit_seq = coalesce(s.audit_seq, 0)"]),
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
CLEAR = [
    "MATCH (i:Introduction) DETACH DELETE i",
    "MATCH (o:Organization) DETACH DELETE o",
    "MATCH (m:Movement) DETACH DELETE m",
]

GET_ORGANIZATION = """
MATCH (o:Organization {id: $id})
OPTIONAL MATCH (o)-[r:IN_MOVEMENT]->(m:Movement)
WITH o, r, m ORDER BY r.position
RETURN o {.*} AS org, [x IN collect(m.id) WHERE x IS NOT NULL] AS movements
"""
ALL_MOVEMENTS = "MATCH (m:Movement) RETURN m.id AS id, m.name AS name, m.color AS color ORDER BY id"
ALL_ORGANIZATIONS = """
MATCH (o:Organization)
OPTIONAL MATCH (o)-[r:IN_MOVEMENT]->(m:Movement)
WITH o, r, m ORDER BY r.position
RETURN o {.*} AS org, [x IN collect(m.id) WHERE x IS NOT NULL] AS movements
ORDER BY org.id
"""
ALL_TIES = """
MATCH (s:Organization)-[t:TIE]->(o:Organization)
RETURN s.id AS source, o.id AS target, t {.*} AS tie
ORDER BY source, target, t.kind
"""
ALL_INTRODUCTIONS = """
MATCH (i:Introduction)
RETURN i {.*} AS intro
ORDER BY i.a, i.b
"""
COUNTS = """
CALL () { MATCH (m:Movement) RETURN count(m) AS movements }
CALL () { MATCH (o:Organization) RETURN count(o) AS organizations }
CALL () { MATCH ()-[t:TIE]->() RETURN count(t) AS ties }
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
AUDIT_ENTRIES = """
MATCH (a:AuditEntry)
WHERE ($since IS NULL OR a.at >= $since) AND ($kind IS NULL OR a.kind = $kind)
  AND ($key IS NULL OR a.key = $key) AND ($after IS NULL OR a.seq > $after)
RETURN a {.*} AS entry
ORDER BY a.seq DESC
LIMIT $limit
"""
RENAMES = """
MATCH (a:AuditEntry) WHERE a.kind = 'organization' AND a.action = 'update' AND a.before CONTAINS '"name":'
RETURN a.key AS key, a.before AS before ORDER BY a.seq
"""
ALL_AUDIT_ENTRIES = "MATCH (a:AuditEntry) RETURN a {.*} AS entry ORDER BY a.seq"
COUNT_AUDIT_ENTRIES = "MATCH (a:AuditEntry) RETURN count(a) AS n"

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
    """MATCH (a)-[t:TIE]->(b) WHERE NOT a:Organization OR NOT b:Organization
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
    """MATCH (s:StoreMeta {key: 'store'}) OPTIONAL MATCH (a:AuditEntry) WITH s, max(a.seq) AS top
       WHERE top > coalesce(s.audit_seq, 0)
       RETURN 'the audit counter (' + toString(coalesce(s.audit_seq, 0)) + ') is behind the last entry ('
              + toString(top) + ')' AS problem""",
]
#: At most this many problems of one check are listed.
PER_CHECK = 50
