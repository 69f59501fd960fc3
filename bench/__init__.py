"""The benchmark harness: ``load`` builds a school year on PostgreSQL, ``run`` drives
the app over HTTP and writes BENCHMARK.md and results.json. Nothing here is imported by the app."""
