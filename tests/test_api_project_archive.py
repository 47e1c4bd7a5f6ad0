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


def test_invites_through_the_api_use_the_members_page_service(team):
    url = f"/api/v1/projects/{team.project.pk}/invites/"
    alice = team.clients["alice"]
    made = alice.post(url, {"invitee": "new@example.org", "role": "annotator"}, format="json")
    assert made.status_code == 201 and made.json()["mailed"] and "/invites/" in made.json()["link"]
    assert [i["invitee"] for i in alice.get(url).json()] == ["new@example.org"]
    added = alice.post(url, {"invitee": "mallory", "role": "reviewer"}, format="json")  # has an account: added
    assert added.status_code == 201 and added.json()["member"]["role"] == "reviewer"
    again = alice.post(url, {"invitee": "carol", "role": "reviewer"}, format="json")
    assert again.status_code == 409 and "invitee" in again.json()
    assert team.clients["bob"].post(url, {"invitee": "x@example.org", "role": "annotator"}, format="json").status_code == 403
    invite_id = made.json()["invite"]["id"]
    assert alice.delete(f"{url}{invite_id}/").status_code == 204
    assert alice.get(url).json() == []
