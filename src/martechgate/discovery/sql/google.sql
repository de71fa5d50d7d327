-- martechgate usage table from the Google Workspace OAuth token audit: one row per app and user.
--
-- Input: a table or view named `events`, one row per activity of the Admin SDK Reports API
-- (`activities.list` for applicationName `token`, or the BigQuery export of Workspace logs flattened to
-- it), with `id.time`, `actor.email` and `events[]`, each event with `name` and `parameters[]` of
-- `name`, `value` and `multiValue`.
-- Output: the usage table `martechgate discover --usage FILE` reads (docs/discovery.md).
--
-- An `authorize` or `activity` event is usage of the app named by its `app_name` parameter (its
-- `client_id` where the name is left out); its `scope` parameter (a multiValue list, or one
-- space-separated value) is the scopes granted. Parameters are looked up by name with correlated
-- subqueries over UNNEST, which every engine below plans as a lookup per event.
-- Written in ANSI SQL; it runs as is on DuckDB and Trino (Trino: ARRAY_JOIN for ARRAY_TO_STRING).
-- BigQuery: write `CROSS JOIN UNNEST(a.events) AS v` and `FROM UNNEST(v.parameters) AS p`, STRING for
-- VARCHAR, NUMERIC for DECIMAL and TIMESTAMP for TIMESTAMP WITH TIME ZONE.
-- Spark SQL: write `LATERAL VIEW explode(a.events) u AS v`, and `filter(v.parameters, p -> p.name =
-- 'app_name')[0].value` for each lookup; `concat_ws(' ', ...)` for ARRAY_TO_STRING.
WITH used AS (
    SELECT
        LOWER(a.actor.email) AS user_name,
        CAST(a.id."time" AS TIMESTAMP WITH TIME ZONE) AS seen,
        (SELECT MAX(p.value) FROM UNNEST(v.parameters) AS q (p) WHERE p.name = 'app_name') AS app_name,
        (SELECT MAX(p.value) FROM UNNEST(v.parameters) AS q (p) WHERE p.name = 'client_id') AS client_id,
        (
            SELECT MAX(COALESCE(ARRAY_TO_STRING(p.multiValue, ' '), p.value))
            FROM UNNEST(v.parameters) AS q (p)
            WHERE p.name = 'scope'
        ) AS scope
    FROM events AS a
    CROSS JOIN UNNEST(a.events) AS u (v)
    WHERE v.name IN ('authorize', 'activity')
)
SELECT
    'google' AS source,
    COALESCE(NULLIF(TRIM(app_name), ''), client_id) AS app,
    MIN(client_id) AS app_id,
    user_name,
    CAST(NULL AS VARCHAR) AS department,
    MIN(seen) AS first_seen,
    MAX(seen) AS last_seen,
    COUNT(*) AS events,
    CAST(NULL AS DECIMAL(18, 2)) AS spend,
    CAST(NULL AS VARCHAR) AS currency,
    STRING_AGG(DISTINCT scope, ' ') AS scopes
FROM used
GROUP BY COALESCE(NULLIF(TRIM(app_name), ''), client_id), user_name
