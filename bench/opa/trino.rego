# The stock-OPA side of bench/trino-opa.mjs (issue 54): a Rego policy that answers Trino's OPA access control the way
# Lakegate's decision endpoints do (catalog/trino-opa/), from a data document (bench/opa/data.json shape, written by
# the bench from the same roles, grants and policies it gives Lakegate):
#
#   lakegate.users                  the users the engine may act for (its delegation policy); others get nothing
#   lakegate.catalogs               Trino catalog name -> warehouse (the engine's trino-opa declarations)
#   lakegate.members.user / .group  user or group name -> the roles it is a member of
#   lakegate.grants                 role -> [{privilege, catalog, schema?, table?}] (no schema: the warehouse;
#                                   no table: the namespace), inherited downwards as Lakegate's grants are
#   lakegate.implies                privilege -> the privileges a grant of it confers (Lakegate's closure)
#   lakegate.policies               "catalog.schema.table" -> {row_filters: [{roles, expression}],
#                                   masks: [{roles, column, expression}]}, the SQL written beforehand (a stock OPA
#                                   has no Iceberg expression to translate: Lakegate writes it per answer)
#
# Endpoints (OPA's data API, the paths a Trino would be configured with):
#   POST /v1/data/trino/allow              opa.policy.uri
#   POST /v1/data/trino/batch              opa.policy.batched-uri
#   POST /v1/data/trino/rowFilters         opa.policy.row-filters-uri
#   POST /v1/data/trino/batchColumnMasks   opa.policy.batch-column-masking-uri
# Several row filters admit the union of their rows (OR), as in Lakegate. Not modelled: several masks of one column
# (Lakegate keeps the least revealing one), nested fields, a table that does not exist.
package trino

import rego.v1

identity := input.context.identity

known if identity.user in data.lakegate.users

roles contains role if {
	known
	some role in object.get(data.lakegate.members.user, identity.user, [])
}

roles contains role if {
	known
	some group in object.get(identity, "groups", [])
	some role in object.get(data.lakegate.members.group, group, [])
}

session_operations := {"ExecuteQuery", "SetSystemSessionProperty", "ShowFunctions", "FilterFunctions"}

catalog_operations := {"AccessCatalog", "ShowSchemas", "FilterCatalogs", "SetCatalogSessionProperty"}

table_privileges := {
	"FilterTables": "any",
	"FilterColumns": "table:read-metadata",
	"ShowColumns": "table:read-metadata",
	"ShowCreateTable": "table:read-metadata",
	"SelectFromColumns": "table:read-data",
	"InsertIntoTable": "table:write-data",
	"DeleteFromTable": "table:write-data",
	"UpdateTableColumns": "table:write-data",
	"TruncateTable": "table:write-data",
	"DropTable": "table:drop",
}

default allow := false

allow if {
	known
	input.action.operation in session_operations
}

allow if {
	known
	input.action.operation in catalog_operations
	data.lakegate.catalogs[input.action.resource.catalog.name]
}

allow if {
	known
	privilege := table_privileges[input.action.operation]
	holds(privilege, input.action.resource.table)
}

# A grant of one of the caller's roles confers the privilege ("any": some privilege) on the table or above it.
holds(privilege, t) if {
	data.lakegate.catalogs[t.catalogName]
	some role in roles
	some g in object.get(data.lakegate.grants, role, [])
	confers(g.privilege, privilege)
	covers(g, t)
}

confers(_, "any")

confers(granted, wanted) if wanted in data.lakegate.implies[granted]

covers(g, t) if {
	g.catalog == t.catalogName
	not g.schema
}

covers(g, t) if {
	g.catalog == t.catalogName
	g.schema == t.schemaName
	not g.table
}

covers(g, t) if {
	g.catalog == t.catalogName
	g.schema == t.schemaName
	g.table == t.tableName
}

# opa.policy.batched-uri: the indices allowed.
batch contains i if {
	known
	input.action.operation == "FilterCatalogs"
	some i, r in input.action.filterResources
	data.lakegate.catalogs[r.catalog.name]
}

batch contains i if {
	known
	privilege := table_privileges[input.action.operation]
	input.action.operation != "FilterColumns"
	some i, r in input.action.filterResources
	holds(privilege, r.table)
}

batch contains i if {
	known
	input.action.operation == "FilterColumns"
	t := input.action.filterResources[0].table
	holds("table:read-metadata", t)
	some i, _ in t.columns
}

table_key(t) := concat(".", [t.catalogName, t.schemaName, t.tableName])

row_filter_expressions contains p.expression if {
	some p in object.get(data.lakegate.policies, table_key(input.action.resource.table), {}).row_filters
	some role in p.roles
	role in roles
}

# opa.policy.row-filters-uri
rowFilters := [{"expression": "FALSE"}] if {
	not known
} else := [{"expression": concat(" OR ", sort(row_filter_expressions))}] if {
	count(row_filter_expressions) > 0
} else := []

# opa.policy.batch-column-masking-uri: the masked columns by index; an unknown user's columns all NULL.
batchColumnMasks contains {"index": i, "viewExpression": {"expression": m.expression}} if {
	known
	some i, r in input.action.filterResources
	some m in object.get(data.lakegate.policies, table_key(r.column), {}).masks
	lower(m.column) == lower(r.column.columnName)
	some role in m.roles
	role in roles
}

batchColumnMasks contains {"index": i, "viewExpression": {"expression": sprintf("CAST(NULL AS %s)", [r.column.columnType])}} if {
	not known
	some i, r in input.action.filterResources
}
