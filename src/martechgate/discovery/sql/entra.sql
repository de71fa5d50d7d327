-- martechgate usage table from Microsoft Entra sign-in logs: one row per app and user.
--
-- Input: a table or view named `events`, one row per signIn (Microsoft Graph `auditLogs/signIns`, or the
-- SigninLogs a diagnostic setting exports), with `createdDateTime`, `userPrincipalName`, `appId`,
-- `appDisplayName` and `status.errorCode`.
-- Output: the usage table `martechgate discover --usage FILE` reads (docs/discovery.md).
--
-- A sign-in counts when it succeeded (status.errorCode 0 or absent). Written in ANSI SQL; it runs as is
-- on DuckDB, Trino, Spark SQL and BigQuery (BigQuery: write STRING for VARCHAR and NUMERIC for DECIMAL).
SELECT
    'entra' AS source,
    e.appDisplayName AS app,
    LOWER(MIN(e.appId)) AS app_id,
    LOWER(e.userPrincipalName) AS user_name,
    CAST(NULL AS VARCHAR) AS department,
    MIN(CAST(e.createdDateTime AS TIMESTAMP WITH TIME ZONE)) AS first_seen,
    MAX(CAST(e.createdDateTime AS TIMESTAMP WITH TIME ZONE)) AS last_seen,
    COUNT(*) AS events,
    CAST(NULL AS DECIMAL(18, 2)) AS spend,
    CAST(NULL AS VARCHAR) AS currency,
    CAST(NULL AS VARCHAR) AS scopes
FROM events AS e
WHERE e.status.errorCode IS NULL OR e.status.errorCode = 0
GROUP BY e.appDisplayName, LOWER(e.userPrincipalName)
