"""The contract suite runner: proves, request by request, that spec, client and target agree.

Entry point: ``python -m plaid_contracts run|parity|try`` (the nox sessions ``contracts``,
``parity`` and ``try``). The packages, by job:

* ``commands``: the three commands and their arguments;
* ``infra``: a run's settings and target, and the path every request takes (pacing, 429s);
* ``reports``: the cassette, masking, the statistics, summary.md / summary.json;
* ``offline``: starting the offline sandbox (on loopback, or inside the test process);
* ``checks``: the rules and their strengths, the checks run on every response, the findings;
* ``client_contract``: what the generated client must make of each answer;
* ``operations``: one module per Plaid endpoint.
"""
