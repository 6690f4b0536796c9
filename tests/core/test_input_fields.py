"""Input serializers copy DRF's plain leaf fields shallowly (core.api.StrictInputSerializer):
each serializer must still have fields of its own, and validating one must leave the next
one as DRF would have it."""

import threading

from rest_framework import serializers

from core.api import LEAF_FIELDS, StrictInputSerializer
from reports.api.inputs import ReportCreateInputSerializer, ReportDraftInputSerializer


class Sample(StrictInputSerializer):
    title = serializers.CharField(max_length=5)
    count = serializers.IntegerField(min_value=1)
    level = serializers.ChoiceField(choices=["a", "b"])
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)


def test_each_serializer_has_fields_of_its_own_bound_to_it():
    first, second = Sample(data={}), Sample(data={})
    for name in ("title", "count", "level", "tags"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
        assert first.fields[name] is not Sample._declared_fields[name]
    # the list's child is copied deeply, as DRF does
    assert first.fields["tags"].child is not second.fields["tags"].child
    assert first.fields["tags"].child.parent is first.fields["tags"]


def test_a_declared_field_is_never_bound_nor_changed_by_use():
    declared = Sample._declared_fields["title"]
    before = dict(vars(declared))
    bad = Sample(data={"title": "too long", "count": 0, "level": "z"})
    assert not bad.is_valid()
    assert vars(declared) == before
    assert getattr(declared, "parent", None) is None


def test_errors_and_values_do_not_leak_from_one_serializer_to_the_next():
    bad = Sample(data={"title": "too long", "count": 0, "level": "z", "tags": ["long one"]})
    assert not bad.is_valid()
    assert set(bad.errors) == {"title", "count", "level", "tags"}
    good = Sample(data={"title": "ok", "count": 2, "level": "a", "tags": ["x"]})
    assert good.is_valid(), good.errors
    assert good.validated_data == {"title": "ok", "count": 2, "level": "a", "tags": ["x"]}


def test_the_report_inputs_validate_the_same_from_many_threads():
    # a threaded server (runserver) builds serializers in several threads at once
    failures = []

    def work(i):
        data = {"title": f"t{i}", "severity_declared": "nonsense" if i % 2 else "major"}
        serializer = ReportDraftInputSerializer(data=data)
        valid = serializer.is_valid()
        if valid == bool(i % 2) or (valid and serializer.validated_data["title"] != f"t{i}"):
            failures.append((i, serializer.errors))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_only_plain_leaf_fields_are_copied_shallowly():
    serializer = ReportCreateInputSerializer(data={})
    shallow = {n for n, f in serializer.fields.items() if type(f) in LEAF_FIELDS}
    deep = set(serializer.fields) - shallow
    assert "title" in shallow
    # the nested ransomware input and the related fields are copied as DRF does
    assert {"ransomware", "category"} <= deep
