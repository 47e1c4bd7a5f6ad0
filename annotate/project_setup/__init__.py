"""Project setup in the browser: create, settings, archive, delete; members and invites;
documents pasted, uploaded, edited and deleted. Pages over the same services as the API."""
