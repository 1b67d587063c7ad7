"""Start the 政策问答 web app on 127.0.0.1 (same as `rag serve`)."""

from rag.app.serve import main

if __name__ == "__main__":
    main()
