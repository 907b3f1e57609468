"""Create the sample operator's small git repository ``feature-store-lite`` in a given directory.

``python data/sample_operator/make_repo.py DEST`` (DEST must not exist or be empty). Commits have fixed
authors and dates, so the repository (and its evidence version) is the same on every machine.
Importable: ``make_repo(dest) -> Path``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FILES_V1 = {
    "README.md": """# feature-store-lite

A small feature store for batch and online scoring: feature definitions in Python, batch computation
with Polars over DuckDB, point-in-time correct training sets, and online lookups from Redis behind a
FastAPI service. Includes drift monitoring (population stability index) and a scikit-learn baseline
model trained on the materialised features, tracked with MLflow.
""",
    "pyproject.toml": """[project]
name = "feature-store-lite"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
  "polars>=1.0",
  "duckdb>=1.0",
  "fastapi>=0.110",
  "redis>=5",
]
""",
    "src/fsl/__init__.py": '"""feature-store-lite."""\n',
    "src/fsl/definitions.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass Feature:\n    name: str\n    sql: str\n",
    "src/fsl/batch.py": "import duckdb\nimport polars as pl\n\n\ndef compute(sql: str) -> pl.DataFrame:\n    return duckdb.sql(sql).pl()\n",
}
FILES_V2 = {
    "requirements.txt": "polars>=1.0\nduckdb>=1.0\nfastapi>=0.110\nredis>=5\nscikit-learn>=1.4\nmlflow>=2.12\ntorch>=2.2\n",
    "src/fsl/train.py": "from sklearn.linear_model import LogisticRegression\nimport mlflow\n\n\ndef train(X, y):\n"
                        "    with mlflow.start_run():\n        return LogisticRegression().fit(X, y)\n",
    "src/fsl/serve.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/features/{key}')\n"
                        "def features(key: str) -> dict:\n    return {'key': key}\n",
    "src/fsl/drift.py": "import numpy as np\n\n\ndef psi(expected, actual, bins=10):\n"
                        "    e, _ = np.histogram(expected, bins)\n    a, _ = np.histogram(actual, bins)\n"
                        "    e = e / e.sum() + 1e-6\n    a = a / a.sum() + 1e-6\n    return float(((a - e) * np.log(a / e)).sum())\n",
}
FILES_V3 = {
    "dashboard/package.json": """{
  "name": "fsl-dashboard",
  "version": "0.1.0",
  "private": true,
  "dependencies": {"react": "^18.2.0", "react-dom": "^18.2.0", "recharts": "^2.12.0"},
  "devDependencies": {"typescript": "^5.4.0", "vite": "^5.2.0"}
}
""",
    "dashboard/src/App.tsx": "export default function App() {\n  return <h1>Feature drift</h1>;\n}\n",
    "cmd/fslctl/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"fslctl\")\n}\n",
    "go.mod": "module example.com/fsl\n\ngo 1.22\n\nrequire github.com/spf13/cobra v1.8.0\n",
}
COMMITS = [
    ("2025-08-02T10:00:00+00:00", FILES_V1, "Initial feature definitions and batch computation with Polars/DuckDB"),
    ("2025-08-20T18:30:00+00:00", FILES_V2, "Add scikit-learn baseline training with MLflow tracking, FastAPI serving and PSI drift"),
    ("2025-09-14T09:15:00+00:00", FILES_V3, "Add React drift dashboard and Go CLI (fslctl)"),
    ("2025-10-05T21:00:00+00:00", {"src/fsl/pit.py": "def as_of_join(features, labels):\n    "
                                   "\"\"\"Point-in-time correct join.\"\"\"\n    return features.join_asof(labels, on='ts')\n"},
     "Merge pull request #4: point-in-time correct training sets (as-of join)"),
]


def _git(dest: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Jordan Reyes", "GIT_AUTHOR_EMAIL": "jordan.reyes@example.com",
           "GIT_COMMITTER_NAME": "Jordan Reyes", "GIT_COMMITTER_EMAIL": "jordan.reyes@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(dest)}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", "-C", str(dest), *args], check=True, env=env, capture_output=True)


def make_repo(dest: Path) -> Path:
    """Create the repository at ``dest`` (idempotent: an existing repo with commits is left as is)."""
    dest = Path(dest)
    if (dest / ".git").is_dir():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    _git(dest, "init", "-q", "-b", "main")
    for date, files, message in COMMITS:
        for rel, text in files.items():
            p = dest / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        _git(dest, "add", "-A")
        _git(dest, "commit", "-q", "-m", message, date=date)
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_repo.py DEST")
    print(make_repo(Path(sys.argv[1])))
