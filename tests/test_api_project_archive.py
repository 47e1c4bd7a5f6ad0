"""Archive and unarchive through the API: the service the project page uses, the same rule and message."""


def test_a_manager_archives_and_unarchives_and_others_may_not(team):
    url = f"/api/v1/projects/{team.project.pk}/archive/"
    archived = team.clients["alice"].post(url)
    assert archived.status_code == 200 and archived.json()["archived_at"]
    team.project.refresh_from_db()
    assert team.project.archived_at is not None
    refused = team.clients["bob"].delete(url)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Your role in this project (reviewer) may not archive the project."
    assert team.clients["mallory"].post(url).status_code == 404
    back = team.clients["alice"].delete(url)
    assert back.status_code == 200 and back.json()["archived_at"] is None
