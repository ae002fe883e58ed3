"""Open Badges 3.0: a completion as an ``OpenBadgeCredential`` (1EdTech OB 3.0 on the W3C Verifiable
Credentials Data Model 2.0), its achievement aligned to the course's competences, and the issuer's
public profile.

Privacy by default: the credential never names the person. Its subject is an ``IdentityObject``
whose ``identityHash`` is the SHA-256 of the staff member's pseudonym and a salt; the salt is
derived from the certificate number and the installation's secret (HMAC), so each credential has
its own and no two credentials of one person can be linked by the hash. The teacher, knowing their
pseudonym and the salt printed in the credential, can show that it is theirs.

Signing (docs/training-certificates.md): with ``settings.DIGILEAP_BADGE_SIGNING_KEY`` (an Ed25519
private key, PEM text or the path of a PEM file) the credential gets an embedded
``DataIntegrityProof`` with the ``eddsa-jcs-2022`` cryptosuite of W3C VC-DI-EDDSA: JSON
Canonicalization (RFC 8785) of the proof configuration and of the credential, SHA-256 of each, the
Ed25519 signature over both hashes, encoded as multibase base58btc. The verification method is a
``Multikey`` published in the issuer profile (``training:authority-badge-issuer``), whose id is the
profile's address with the key's multibase as fragment; earlier keys stay published from
``settings.DIGILEAP_BADGE_PREVIOUS_KEYS`` (PEM public keys) so that badges signed before a
rotation still verify. Without a key the credential is served unsigned.
"""

import datetime
import hashlib
import hmac
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from digileap.programmes.translation import localized

from .certificates import base_url
from .models import Completion, Course
from .selectors.completions import competences_of

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
# The profile also serves as the controller document of the signing keys.
PROFILE_CONTEXT = [*CONTEXT, "https://www.w3.org/ns/cid/v1"]
DIGCOMPEDU_URL = "https://joint-research-centre.ec.europa.eu/scientific-activities-z/education-and-training/digital-transformation-education/digital-competence-framework-educators-digcompedu_en"
CRYPTOSUITE = "eddsa-jcs-2022"
ED25519_MULTICODEC = b"\xed\x01"
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://digileap.eu/training/")


# --- encodings ----------------------------------------------------------------------------------


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, remainder = divmod(number, 58)
        text = BASE58_ALPHABET[remainder] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def from_base58btc(text: str) -> bytes:
    number = 0
    for character in text:
        number = number * 58 + BASE58_ALPHABET.index(character)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def canonical_json(value) -> bytes:
    """RFC 8785 (JCS) for the values a credential holds: objects with keys sorted by UTF-16 code
    units, no whitespace, strings as ECMAScript writes them (``json.dumps`` with
    ``ensure_ascii=False`` escapes exactly the same characters). Floats are refused: a credential
    here carries none, and their JCS form differs from Python's."""

    def walk(item):
        if isinstance(item, dict):
            return (
                "{"
                + ",".join(
                    json.dumps(key, ensure_ascii=False) + ":" + walk(item[key])
                    for key in sorted(item, key=lambda k: k.encode("utf-16-be"))
                )
                + "}"
            )
        if isinstance(item, (list, tuple)):
            return "[" + ",".join(walk(entry) for entry in item) + "]"
        if isinstance(item, float):
            raise TypeError("canonical_json refuses floats")
        return json.dumps(item, ensure_ascii=False)

    return walk(value).encode("utf-8")


# --- keys ---------------------------------------------------------------------------------------


def _pem(value: str) -> bytes:
    value = value.strip()
    if value and not value.startswith("-----") and Path(value).is_file():
        return Path(value).read_bytes()
    return value.encode("ascii")


def signing_key():
    """The Ed25519 private key of ``DIGILEAP_BADGE_SIGNING_KEY``, or None when none is set."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    value = getattr(settings, "DIGILEAP_BADGE_SIGNING_KEY", "") or ""
    if not value.strip():
        return None
    try:
        key = load_pem_private_key(_pem(value), password=None)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"DIGILEAP_BADGE_SIGNING_KEY is not a PEM private key: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(
            "DIGILEAP_BADGE_SIGNING_KEY must be an Ed25519 key (openssl genpkey -algorithm ed25519)"
        )
    return key


def previous_public_keys() -> list:
    """The Ed25519 public keys of ``DIGILEAP_BADGE_PREVIOUS_KEYS`` (PEM blocks, or paths, separated by blank lines)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    value = getattr(settings, "DIGILEAP_BADGE_PREVIOUS_KEYS", "") or ""
    keys = []
    for block in value.split("-----END PUBLIC KEY-----"):
        block = block.strip()
        if not block:
            continue
        data = _pem(block) if not block.startswith("-----") else (block + "\n-----END PUBLIC KEY-----\n").encode()
        try:
            key = load_pem_public_key(data)
        except ValueError as error:
            raise ImproperlyConfigured(f"DIGILEAP_BADGE_PREVIOUS_KEYS holds a key that is not PEM: {error}") from error
        if not isinstance(key, Ed25519PublicKey):
            raise ImproperlyConfigured("DIGILEAP_BADGE_PREVIOUS_KEYS must hold Ed25519 public keys")
        keys.append(key)
    return keys


def public_key_multibase(public_key) -> str:
    """The Multikey form of an Ed25519 public key: ``z`` and base58btc of 0xed01 and the 32 key bytes."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58btc(ED25519_MULTICODEC + raw)


def public_key_from_multibase(value: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not value.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    data = from_base58btc(value[1:])
    if not data.startswith(ED25519_MULTICODEC) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def key_id(issuer_url: str, public_key) -> str:
    return f"{issuer_url}#{public_key_multibase(public_key)}"


# --- proofs -------------------------------------------------------------------------------------


def _hash_data(document: dict, proof_config: dict) -> bytes:
    config = {key: value for key, value in proof_config.items() if key != "proofValue"}
    if "@context" in document:
        config["@context"] = document["@context"]
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return hashlib.sha256(canonical_json(config)).digest() + hashlib.sha256(canonical_json(unsecured)).digest()


def add_proof(document: dict, private_key, verification_method: str, created: datetime.datetime) -> dict:
    """``document`` with a ``DataIntegrityProof`` (eddsa-jcs-2022) made with ``private_key``."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    if "@context" in document:
        # As the signed example of VC-DI-EDDSA shows: the proof repeats the document's context.
        proof["@context"] = document["@context"]
    signature = private_key.sign(_hash_data(document, proof))
    return {**document, "proof": {**proof, "proofValue": "z" + base58btc(signature)}}


def verify_proof(document: dict, public_key) -> bool:
    """Whether ``document``'s eddsa-jcs-2022 proof was made with ``public_key`` over exactly this document."""
    from cryptography.exceptions import InvalidSignature

    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    value = proof.get("proofValue", "")
    if not value.startswith("z"):
        return False
    try:
        public_key.verify(from_base58btc(value[1:]), _hash_data(document, proof))
    except (InvalidSignature, ValueError):
        return False
    return True


# --- the documents ------------------------------------------------------------------------------


def issuer_url(authority, request=None) -> str:
    return base_url(request) + reverse("training:authority-badge-issuer", kwargs={"pk": authority.pk})


def issuer_profile(authority, request=None) -> dict:
    """The public profile of an authority as issuer, with the keys that verify its badges. Nothing personal."""
    url = issuer_url(authority, request)
    profile = {
        "@context": PROFILE_CONTEXT,
        "id": url,
        "type": ["Profile"],
        "name": authority.name,
    }
    key = signing_key()
    public_keys = ([key.public_key()] if key else []) + previous_public_keys()
    if public_keys:
        methods = [
            {
                "id": key_id(url, public_key),
                "type": "Multikey",
                "controller": url,
                "publicKeyMultibase": public_key_multibase(public_key),
            }
            for public_key in public_keys
        ]
        profile["verificationMethod"] = methods
        profile["assertionMethod"] = [method["id"] for method in methods]
    return profile


def criteria_narrative(course: Course) -> str:
    rule = course.completion_rule
    attendance = _("Attend at least %(share)s %% of the course's sessions.") % {"share": course.attendance_share}
    assessment = _("Pass the course's assessment.")
    if rule == Course.Rule.ATTENDANCE:
        return attendance
    if rule == Course.Rule.ASSESSMENT:
        return assessment
    return f"{attendance} {assessment}"


def alignment(competence) -> dict:
    framework = competence.framework
    url = framework.source_url or (DIGCOMPEDU_URL if framework.code == "digcompedu" else "")
    item = {
        "type": ["Alignment"],
        "targetName": localized(competence.name) or competence.code,
        "targetCode": competence.code,
        "targetFramework": f"{localized(framework.name) or framework.code} {framework.version}".strip(),
        "targetType": "ext:Competence",
        "targetUrl": url,
    }
    description = localized(competence.description)
    if description:
        item["targetDescription"] = description
    return item


def salt_for(completion: Completion) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"badge-salt:{completion.certificate_number}".encode(), hashlib.sha256
    ).hexdigest()[:16]


def identity_hash(pseudonym: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((pseudonym + salt).encode("utf-8")).hexdigest()


def achievement_id(course: Course) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'course:{course.pk}:{course.programme_id}:{course.code}')}"


def credential_id(completion: Completion) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'completion:{completion.certificate_number}')}"


def open_badge(completion: Completion, request=None) -> dict:
    """The completion as an OpenBadgeCredential, in the active language; signed when a key is set."""
    course = completion.course
    programme = course.programme
    authority = programme.authority
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    title = localized(course.title) or course.code
    url = issuer_url(authority, request)
    valid_from = f"{completion.completed_on.isoformat()}T00:00:00Z"
    salt = salt_for(completion)
    competences = competences_of(course)
    fallback_url = next((a["targetUrl"] for a in map(alignment, competences) if a["targetUrl"]), "")
    alignments = []
    for competence in competences:
        item = alignment(competence)
        item["targetUrl"] = item["targetUrl"] or fallback_url or url
        alignments.append(item)
    description = localized(course.description) or _(
        "%(course)s, %(hours)s hours, given by %(provider)s in the programme %(programme)s."
    ) % {
        "course": title,
        "hours": format(course.hours.normalize(), "f"),
        "provider": course.provider.name,
        "programme": localized(programme.name) or programme.code,
    }
    achievement: dict[str, object] = {  # JSON-LD
        "id": achievement_id(course),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": title,
        "description": description,
        "criteria": {"narrative": criteria_narrative(course)},
        "humanCode": course.code,
        "inLanguage": language,
        "creator": {"id": url, "type": ["Profile"], "name": authority.name},
    }
    if alignments:
        achievement["alignment"] = alignments
    credential = {
        "@context": CONTEXT,
        "id": credential_id(completion),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": url, "type": ["Profile"], "name": authority.name},
        "validFrom": valid_from,
        "awardedDate": valid_from,
        "name": title,
        "description": _("Certificate number %(number)s") % {"number": completion.certificate_number},
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(completion.staff.pseudonym, salt),
                    "identityType": "identifier",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": achievement,
        },
    }
    key = signing_key()
    if key is not None:
        credential = add_proof(credential, key, key_id(url, key.public_key()), timezone.now())
    return credential
