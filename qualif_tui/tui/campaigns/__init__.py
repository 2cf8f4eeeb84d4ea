"""The campaign screens: the list, the new-campaign wizard, the template editor,
sending with its progress, and the responses."""

from qualif_tui.tui.campaigns.listing import CampaignsScreen
from qualif_tui.tui.campaigns.wizard import NewCampaignScreen

__all__ = ["CampaignsScreen", "NewCampaignScreen"]
