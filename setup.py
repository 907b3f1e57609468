"""Build layout only (metadata lives in pyproject.toml).

The checkout keeps ``data/`` and ``prompts/`` at the top level; they ship as the packages ``careeros_data`` and
``careeros_prompts`` so ``importlib.resources`` finds them in a wheel exactly as in an editable checkout.
Setuptools cannot rename a directory found by ``[tool.setuptools.packages.find]``, hence this file.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages("src", include=["careeros", "careeros.*"]),
        *find_namespace_packages(".", include=["flows", "flows.*", "tasks", "tasks.*"]),
        "careeros_data",
        "careeros_prompts",
    ],
    package_dir={"careeros": "src/careeros", "careeros_data": "data", "careeros_prompts": "prompts"},
)
