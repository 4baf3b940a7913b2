"""Analytics: the event store (engine, migrations, tables), report periods, the metrics computed over the
store, page-view counts for review ranking and the dashboard's data and page.

Below the web service: the service's blueprints, `kb report` and `kb review` all go through this package, and
it imports no web framework. Nothing outside it talks to the database.
"""
