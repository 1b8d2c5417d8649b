"""Reading an index across documents.

Comparison, transplants, shingles, version diffs, amendments.
"""
