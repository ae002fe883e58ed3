"""Serializers of the connectivity API: read-only views of campaigns, survey answers with their
uplinks, speed tests, measurements, daily summaries, benchmarks and analysis results."""

from rest_framework import serializers

from ..models import (
    AnalysisRun,
    Benchmark,
    Campaign,
    DailyAggregate,
    Measurement,
    Proposal,
    SchoolStatus,
    SpeedTest,
    SurveyResponse,
    Uplink,
)


class ReadOnlyModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
        return fields


class CampaignSerializer(ReadOnlyModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "programme",
            "programme_code",
            "code",
            "name",
            "description",
            "starts_on",
            "ends_on",
            "state",
            "reminder_days",
            "created_at",
        ]


class UplinkSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Uplink
        fields = [
            "id",
            "technology",
            "provider",
            "download_mbps",
            "upload_mbps",
            "monthly_cost",
            "contract_start",
            "contract_end",
        ]


class SurveyResponseSerializer(ReadOnlyModelSerializer):
    school_number = serializers.CharField(source="school.number", read_only=True)
    uplinks = UplinkSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "campaign",
            "school",
            "school_number",
            "site",
            "state",
            "classrooms",
            "classrooms_wifi",
            "access_points",
            "switches",
            "switch_age_years",
            "cabling",
            "fibre_distance_km",
            "problems",
            "problems_text",
            "submitted_at",
            "updated_at",
            "uplinks",
        ]


class SpeedTestSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = SpeedTest
        fields = [
            "id",
            "school",
            "site",
            "state",
            "started_at",
            "finished_at",
            "network",
            "browser",
            "connection",
            "server",
            "verified",
            "download_mbps",
            "upload_mbps",
            "latency_ms",
            "jitter_ms",
            "bytes_down",
            "bytes_up",
            "error",
        ]


class MeasurementSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Measurement
        fields = [
            "id",
            "school",
            "site",
            "measured_at",
            "download_mbps",
            "upload_mbps",
            "latency_ms",
            "connection",
            "source",
        ]


class DailyAggregateSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = DailyAggregate
        fields = [
            "id",
            "school",
            "site",
            "day",
            "tests",
            "download_median",
            "download_p95",
            "upload_median",
            "upload_p95",
            "latency_median",
            "latency_p95",
        ]


class BenchmarkSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Benchmark
        fields = [
            "id",
            "programme",
            "code",
            "name",
            "kind",
            "threshold_mbps",
            "lower_mbps",
            "share_percent",
            "min_tests",
            "min_days",
            "position",
        ]


class AnalysisRunSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = AnalysisRun
        fields = ["id", "campaign", "as_of", "window_start", "computed_at", "parameters", "schools", "digest"]


class SchoolStatusSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = SchoolStatus
        fields = ["id", "run", "school", "benchmark", "status", "measured_mbps", "required_mbps", "tests", "days"]


class ProposalSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Proposal
        fields = [
            "id",
            "run",
            "school",
            "gap_mbps",
            "classrooms_without_wifi",
            "sites_needing_switches",
            "option",
            "uplink_capex",
            "uplink_opex_year",
            "wifi_capex",
            "switch_capex",
            "total",
            "priority_value",
            "rank",
        ]
