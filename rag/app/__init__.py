"""App: in comes a person or a program; out go answers, rendered at the edge: the `rag` command (cli), the web
page (webui, staff, site), the JSON API and the LangChain adapter, all over one `Pipeline` (rag.app.pipeline)."""
