/* mkdocs-material 9.8.1 partials/integrations/analytics.html's inline script, as a file: kb's Content-Security-Policy runs no inline script. */
if("undefined"!=typeof __md_analytics){var consent=__md_get("__consent");consent&&consent.analytics&&__md_analytics()}
