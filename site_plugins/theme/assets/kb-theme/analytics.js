/* mkdocs-material 9.8.1 partials/integrations/analytics.html's inline script, as a file: kb's Content-Security-Policy runs no inline script. */
"undefined"!=typeof __md_analytics&&__md_analytics()
