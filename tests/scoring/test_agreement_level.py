"""The one-line reading of judge agreement (Koo & Li 2016's bands for ICC(2,1))."""
import pytest

from portal.scoring.agreement import agreement_level


@pytest.mark.parametrize("icc, level", [
    (None, None), (-0.2, "poor"), (0.49, "poor"), (0.5, "moderate"), (0.74, "moderate"),
    (0.75, "good"), (0.89, "good"), (0.9, "excellent"), (1.0, "excellent")])
def test_each_band_has_its_reading(icc, level):
    assert agreement_level(icc) == level
