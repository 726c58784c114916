"""The Kubernetes manifests (deploy/k8s/) are valid against the Kubernetes API schemas, offline
(`kubernetes-validate` ships the OpenAPI schemas of each release; strict: an unknown field fails), and
they fit together and with the app: probes on the health endpoints, the Secret's keys where the pod reads
them, the Service and the Ingress on the pod's named ports, the ConfigMap's settings known to the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers.base import unavailable

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
# the oldest Kubernetes release the manifests claim (docs/DEPLOYMENT.md) and the newest schema bundled
VERSIONS = ("1.29.0", "1.37.0")


def _manifests() -> dict[str, dict[str, Any]]:
    docs = [d for f in sorted(K8S.glob("*.yaml")) for d in yaml.safe_load_all(f.read_text()) if d]
    return {d["kind"]: d for d in docs}


@pytest.mark.unit
@pytest.mark.parametrize("version", VERSIONS)
def test_manifests_pass_the_kubernetes_schemas(version: str) -> None:
    try:
        import kubernetes_validate
    except ImportError:
        unavailable("kubernetes-validate not installed (pip, in the dev extra)")
    files = sorted(K8S.glob("*.yaml"))
    assert len(files) >= 7
    for f in files:
        for doc in yaml.safe_load_all(f.read_text()):
            if doc:
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                except kubernetes_validate.ValidationError as exc:
                    pytest.fail(f"{f.name} ({doc.get('kind')}) against Kubernetes {version}: {exc.message}")


@pytest.mark.unit
def test_a_wrong_field_is_caught() -> None:
    """The check is strict: a misspelt field fails (so the test above is not a formality)."""
    import kubernetes_validate

    dep = _manifests()["Deployment"]
    bad = {**dep, "spec": {**dep["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, VERSIONS[-1], strict=True)


@pytest.mark.unit
def test_manifests_fit_together_and_the_app() -> None:
    from app.server.routes import system

    m = _manifests()
    assert {"Deployment", "Service", "Ingress", "Secret", "ConfigMap", "PersistentVolumeClaim"} <= set(m)
    pod = m["Deployment"]["spec"]["template"]
    [app] = pod["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in app["ports"]}
    conf = m["ConfigMap"]["data"]
    assert ports == {"http": int(conf["PA_SERVER__PORT"]), "metrics": int(conf["PA_SERVER__METRICS_PORT"])}
    paths = {getattr(r, "path", "") for r in system.router.routes}
    assert app["livenessProbe"]["httpGet"]["path"] == "/api/v1/health/live" in paths
    assert app["readinessProbe"]["httpGet"]["path"] == "/api/v1/health/ready" in paths
    assert app["startupProbe"]["httpGet"]["path"] in paths
    # the secret's keys: the database URL as a variable, the keyring password as the file the entrypoint reads
    secret = m["Secret"]["stringData"]
    [db_url] = [e for e in app["env"] if e["name"] == "PA_DATABASE_URL"]
    assert db_url["valueFrom"]["secretKeyRef"]["key"] in secret
    assert secret["database_url"].startswith("postgresql+psycopg://")
    [vol] = [v for v in pod["spec"]["volumes"] if "secret" in v]
    [mount] = [x for x in app["volumeMounts"] if x["name"] == vol["name"]]
    files = {i["key"]: f"{mount['mountPath']}/{i['path']}" for i in vol["secret"]["items"]}
    entrypoint = (K8S.parent / "entrypoint.sh").read_text()
    assert files == {"pa_keyring_password": "/run/secrets/pa_keyring_password"} and "/run/secrets" in entrypoint
    # Service -> pod, Ingress -> Service, by names
    svc = m["Service"]
    assert svc["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    assert {p["targetPort"] for p in svc["spec"]["ports"]} <= set(ports)
    [rule] = m["Ingress"]["spec"]["rules"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == svc["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in svc["spec"]["ports"] if p["name"] != "metrics"}
    assert m["Ingress"]["spec"]["tls"][0]["hosts"] == [rule["host"]]
    claim = next(v for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v)["persistentVolumeClaim"]
    assert claim["claimName"] == m["PersistentVolumeClaim"]["metadata"]["name"]
    if m["Deployment"]["spec"]["replicas"] > 1:  # replicas share the data volume
        assert m["PersistentVolumeClaim"]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert app["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.mark.unit
def test_configmap_settings_are_the_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each PA_* key of the ConfigMap is a setting the app reads, with a value it accepts."""
    from app.settings import Settings

    conf = _manifests()["ConfigMap"]["data"]
    for key, value in conf.items():
        monkeypatch.setenv(key, value)
    s = Settings()
    for key, value in conf.items():
        if key == "PA_HOME":
            continue
        obj: Any = s
        for part in key.removeprefix("PA_").lower().split("__"):
            assert hasattr(obj, part), f"{key}: no such setting"
            obj = getattr(obj, part)
        assert str(obj) == value, key
