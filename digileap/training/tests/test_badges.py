"""The Open Badges 3.0 credential of a completion: its exact fields, its alignments to the
course's competences, privacy (no name, no reference, a salted hash of the pseudonym), the
signature (eddsa-jcs-2022) verified with the key the public issuer profile publishes, and who
may fetch it."""

import copy
import datetime
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role

from ..badges import (
    CONTEXT,
    achievement_id,
    add_proof,
    base58btc,
    canonical_json,
    credential_id,
    from_base58btc,
    issuer_profile,
    open_badge,
    public_key_from_multibase,
    public_key_multibase,
    salt_for,
    signing_key,
    verify_proof,
)
from .completion_data import make_completion_data

ISSUER_PATH = "/training/badges/issuers/{}/"


@pytest.fixture
def data(world):
    return make_completion_data(world)


@pytest.fixture
def key(settings):
    private = Ed25519PrivateKey.generate()
    settings.DIGILEAP_BADGE_SIGNING_KEY = private.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    ).decode()
    return private


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def badge_url(completion) -> str:
    return reverse("training:completion-badge", args=[completion.pk])


@pytest.mark.django_db
class TestCredential:
    def test_the_exact_credential(self, data, world, settings):
        settings.DIGILEAP_BASE_URL = "https://digileap.example.org"
        credential = open_badge(data.own)
        issuer = f"https://digileap.example.org/training/badges/issuers/{world.authority.pk}/"
        salt = salt_for(data.own)
        digest = hashlib.sha256((data.own.staff.pseudonym + salt).encode()).hexdigest()
        assert credential == {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": credential_id(data.own),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": issuer, "type": ["Profile"], "name": "INSIDE authority"},
            "validFrom": "2024-03-25T00:00:00Z",
            "awardedDate": "2024-03-25T00:00:00Z",
            "name": "Digital didactics",
            "description": f"Certificate number {data.own.certificate_number}",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [
                    {
                        "type": "IdentityObject",
                        "identityHash": f"sha256${digest}",
                        "identityType": "identifier",
                        "hashed": True,
                        "salt": salt,
                    }
                ],
                "achievement": {
                    "id": achievement_id(data.course),
                    "type": ["Achievement"],
                    "achievementType": "Course",
                    "name": "Digital didactics",
                    "description": (
                        "Digital didactics, 6 hours, given by Pedagogical centre in the programme Teacher training."
                    ),
                    "criteria": {"narrative": "Attend at least 75 % of the course's sessions."},
                    "humanCode": "DIDAC-1",
                    "inLanguage": "en",
                    "creator": {"id": issuer, "type": ["Profile"], "name": "INSIDE authority"},
                    "alignment": [
                        {
                            "type": ["Alignment"],
                            "targetName": "Professional engagement",
                            "targetCode": "1.1",
                            "targetFramework": "DigCompEdu 1.0",
                            "targetType": "ext:Competence",
                            "targetUrl": "https://example.org/digcompedu",
                        },
                        {
                            "type": ["Alignment"],
                            "targetName": "Competence 2.1",
                            "targetCode": "2.1",
                            "targetFramework": "DigCompEdu 1.0",
                            "targetType": "ext:Competence",
                            "targetUrl": "https://example.org/digcompedu",
                        },
                    ],
                },
            },
        }
        assert credential["@context"] == CONTEXT
        assert credential["id"].startswith("urn:uuid:")
        assert len(salt) == 16

    def test_stable_ids_and_a_salt_per_credential(self, data):
        assert open_badge(data.own)["id"] == open_badge(data.own)["id"]
        assert credential_id(data.own) != credential_id(data.colleague)
        assert achievement_id(data.course) == open_badge(data.colleague)["credentialSubject"]["achievement"]["id"]
        assert salt_for(data.own) != salt_for(data.colleague)

    def test_nothing_names_the_person(self, data, settings):
        settings.DIGILEAP_TRAINING_STAFF_NAMES = True
        text = json.dumps(open_badge(data.colleague))
        for personal in ("COLLEAGUE-1", "Ada", "Lovelace", data.colleague.staff.pseudonym, "INSIDE school"):
            assert personal not in text

    def test_the_completion_rule_as_criteria(self, data):
        data.course.completion_rule = "both"
        data.course.save()
        narrative = open_badge(data.own)["credentialSubject"]["achievement"]["criteria"]["narrative"]
        assert narrative == "Attend at least 75 % of the course's sessions. Pass the course's assessment."

    def test_in_german(self, data):
        from django.utils import translation

        with translation.override("de"):
            credential = open_badge(data.own)
        assert credential["name"] == "Digitale Didaktik"
        achievement = credential["credentialSubject"]["achievement"]
        assert achievement["inLanguage"] == "de"
        assert achievement["alignment"][0]["targetName"] == "Berufliches Engagement"

    def test_the_required_fields_of_ob_3_0(self, data, key):
        """The fields OB 3.0 requires (AchievementCredential, AchievementSubject, Achievement,
        Alignment, IdentityObject, Profile), checked one by one."""
        credential = open_badge(data.own)
        assert {"@context", "id", "type", "issuer", "validFrom", "credentialSubject"} <= credential.keys()
        assert credential["@context"][:2] == CONTEXT
        assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(credential["type"])
        assert {"id", "type"} <= credential["issuer"].keys() and "Profile" in credential["issuer"]["type"]
        subject = credential["credentialSubject"]
        assert "AchievementSubject" in subject["type"]
        assert "id" in subject or subject["identifier"]
        assert set(subject) <= {"id", "type", "achievement", "identifier"}
        for identity in subject["identifier"]:
            assert set(identity) == {"type", "hashed", "identityHash", "identityType", "salt"}
            assert identity["identityHash"].startswith("sha256$")
        achievement = subject["achievement"]
        assert {"id", "type", "name", "description", "criteria"} <= achievement.keys()
        assert achievement["criteria"]["narrative"]
        for item in achievement["alignment"]:
            assert {"type", "targetName", "targetUrl"} <= item.keys()
            assert item["targetUrl"].startswith("https://")
            assert item["targetType"].startswith("ext:")
        proof = credential["proof"]
        assert {
            "@context",
            "type",
            "cryptosuite",
            "created",
            "verificationMethod",
            "proofPurpose",
            "proofValue",
        } == set(proof)


@pytest.mark.django_db
class TestSignature:
    def test_unsigned_without_a_key(self, data, settings):
        settings.DIGILEAP_BADGE_SIGNING_KEY = ""
        assert "proof" not in open_badge(data.own)
        assert signing_key() is None

    def test_signed_and_verified_with_the_published_key(self, data, key, world):
        credential = open_badge(data.own)
        proof = credential["proof"]
        assert proof["type"] == "DataIntegrityProof"
        assert proof["cryptosuite"] == "eddsa-jcs-2022"
        assert proof["proofPurpose"] == "assertionMethod"
        assert proof["proofValue"].startswith("z")
        multibase = public_key_multibase(key.public_key())
        assert multibase.startswith("z6Mk")
        assert proof["verificationMethod"] == f"{credential['issuer']['id']}#{multibase}"
        # A verifier takes the key from the issuer profile, found by the verification method.
        profile = issuer_profile(world.authority)
        method = next(m for m in profile["verificationMethod"] if m["id"] == proof["verificationMethod"])
        assert method["type"] == "Multikey"
        assert method["controller"] == profile["id"] == credential["issuer"]["id"]
        assert profile["assertionMethod"] == [method["id"]]
        public_key = public_key_from_multibase(method["publicKeyMultibase"])
        assert verify_proof(credential, public_key)

    def test_the_signature_by_hand(self, data, key):
        """The eddsa-jcs-2022 steps written out: SHA-256 of the canonical proof configuration
        (with the credential's @context), then of the canonical credential without its proof."""
        credential = open_badge(data.own)
        proof = dict(credential["proof"])
        signature = from_base58btc(proof.pop("proofValue")[1:])
        proof["@context"] = credential["@context"]
        unsecured = {k: v for k, v in credential.items() if k != "proof"}
        signed = hashlib.sha256(canonical_json(proof)).digest() + hashlib.sha256(canonical_json(unsecured)).digest()
        key.public_key().verify(signature, signed)  # raises InvalidSignature when wrong

    def test_a_changed_credential_does_not_verify(self, data, key):
        credential = open_badge(data.own)
        changed = copy.deepcopy(credential)
        changed["validFrom"] = "2023-03-25T00:00:00Z"
        assert not verify_proof(changed, key.public_key())
        other = Ed25519PrivateKey.generate().public_key()
        assert not verify_proof(credential, other)

    def test_the_served_badge_verifies(self, data, key, role_users):
        response = client_for(role_users[Role.TEACHER]).get(badge_url(data.own))
        credential = json.loads(response.content)
        assert verify_proof(credential, key.public_key())

    def test_a_wrong_key_is_a_configuration_error(self, data, settings):
        settings.DIGILEAP_BADGE_SIGNING_KEY = "not a key"
        with pytest.raises(ImproperlyConfigured):
            open_badge(data.own)

    def test_previous_keys_stay_published(self, data, key, settings, world):
        old = Ed25519PrivateKey.generate().public_key()
        settings.DIGILEAP_BADGE_PREVIOUS_KEYS = old.public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
        ).decode()
        profile = issuer_profile(world.authority)
        assert [m["publicKeyMultibase"] for m in profile["verificationMethod"]] == [
            public_key_multibase(key.public_key()),
            public_key_multibase(old),
        ]

    def test_the_w3c_test_vector(self):
        """The eddsa-jcs-2022 test vector of W3C VC-DI-EDDSA (section "Representation:
        eddsa-jcs-2022"): its key, credential and proof options give its proofValue."""
        secret = from_base58btc("3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
        assert secret[:2] == b"\x80\x26"  # the ed25519-priv multicodec
        private = Ed25519PrivateKey.from_private_bytes(secret[2:])
        public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
        assert public_key_multibase(private.public_key()) == public
        document = {
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
        }
        assert hashlib.sha256(canonical_json(document)).hexdigest() == (
            "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
        )
        signed = add_proof(
            document,
            private,
            f"did:key:{public}#{public}",
            datetime.datetime(2023, 2, 24, 23, 36, 38, tzinfo=datetime.UTC),
        )
        assert signed["proof"] == {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": "2023-02-24T23:36:38Z",
            "verificationMethod": f"did:key:{public}#{public}",
            "proofPurpose": "assertionMethod",
            "@context": document["@context"],
            "proofValue": "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX",
        }
        assert verify_proof(signed, public_key_from_multibase(public))

    def test_canonical_json(self):
        assert canonical_json({"b": [1, "é\n"], "a": {"d": True, "c": None}}) == (
            '{"a":{"c":null,"d":true},"b":[1,"é\\n"]}'.encode()
        )
        with pytest.raises(TypeError):
            canonical_json({"a": 1.5})

    def test_base58(self):
        assert base58btc(b"\0\0hello") == "11Cn8eVZg"
        assert from_base58btc("11Cn8eVZg") == b"\0\0hello"


@pytest.mark.django_db
class TestRoutes:
    def test_the_badge_download(self, data, role_users):
        response = client_for(role_users[Role.TEACHER]).get(badge_url(data.own))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="badge-{data.own.certificate_number}.json"'
        credential = json.loads(response.content)
        assert credential["issuer"]["id"] == f"http://testserver{ISSUER_PATH.format(data.programme.authority.pk)}"
        assert [a["targetCode"] for a in credential["credentialSubject"]["achievement"]["alignment"]] == ["1.1", "2.1"]

    @pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.PROGRAMME_OWNER, Role.AUDITOR, Role.OPERATOR_STAFF])
    def test_the_school_side_owner_and_auditor(self, data, role_users, role):
        assert client_for(role_users[role]).get(badge_url(data.colleague)).status_code == 200

    def test_the_funding_administrator_may_not(self, data, role_users):
        assert client_for(role_users[Role.FUNDING_ADMINISTRATOR]).get(badge_url(data.own)).status_code == 403

    @pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
    def test_outside_is_not_found(self, data, role_users, role):
        assert client_for(role_users[role]).get(badge_url(data.outside)).status_code == 404

    def test_the_issuer_profile_is_public_and_impersonal(self, data, key, world):
        response = Client().get(ISSUER_PATH.format(world.authority.pk))
        assert response.status_code == 200
        profile = json.loads(response.content)
        assert profile["id"] == f"http://testserver{ISSUER_PATH.format(world.authority.pk)}"
        assert profile["type"] == ["Profile"]
        assert profile["name"] == "INSIDE authority"
        assert set(profile) == {"@context", "id", "type", "name", "verificationMethod", "assertionMethod"}
        text = response.content.decode()
        for personal in ("INSIDE-teacher", "COLLEAGUE-1", "INSIDE school", data.own.staff.pseudonym):
            assert personal not in text

    def test_an_unknown_issuer(self, db):
        assert Client().get(ISSUER_PATH.format(999999)).status_code == 404
