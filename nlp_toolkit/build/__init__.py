"""The write path: ingest, embed, score and train stages, the whole-build pipeline, executors.

One writer per index; every stage here reads the store, computes, and commits its results.
"""
