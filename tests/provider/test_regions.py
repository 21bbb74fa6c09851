"""The region list the provider validates against."""

from __future__ import annotations

from amplify_local.provider.regions import DEFAULT_REGION, REGIONS


def test_default_region_is_listed_once_and_names_are_well_formed() -> None:
    assert DEFAULT_REGION in REGIONS
    assert len(REGIONS) == len(set(REGIONS))
    assert all(region.count("-") == 2 and region[-1].isdigit() for region in REGIONS)
