"""Finding provisions: the search index, ranking, query expansion, snippets, batches, evaluation."""
