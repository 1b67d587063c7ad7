"""政策问答: answers about local-government policy, cited to the clause. The folders follow the data, each
importing only those before it: documents → index → search → answer → app (config is shared by all)."""

import os

# Nothing may reach a model hub or phone home: set before any HF / Gradio import.
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)
