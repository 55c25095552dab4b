"""Discord-free story handling: the model, importers, renderer and paginator."""
