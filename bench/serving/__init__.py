"""The parts of ``bench/serve.py``: generated articles, the writer process, nginx, wrk and memory."""
