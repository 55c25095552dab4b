"""Stories: the model, importers, renderer, paginator, authoring use cases and repository."""
