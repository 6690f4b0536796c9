"""Password recovery by e-mail and password change (issue 13, point 10): Django's views with
the portal's templates, in Chinese."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

BRAND = "网络安全事件报告平台"


def test_a_forgotten_password_is_reset_through_the_mailed_link(demo, client):
    user = demo["operator-general"]
    user.email = "op@example.cn"
    user.save(update_fields=["email"])
    # the login page offers it
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
    # the form, in the portal's layout
    page = client.get(reverse("password_reset")).content.decode()
    assert BRAND in page and "找回密码" in page and 'class="form-control' in page
    # asking sends one e-mail with a link
    response = client.post(reverse("password_reset"), {"email": "op@example.cn"})
    assert response["Location"] == reverse("password_reset_done")
    assert "请查收电子邮件" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["op@example.cn"]
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    # the link opens the form to set a new password
    response = client.get(link.group(1))
    assert response.status_code == 302  # Django moves the token out of the address
    form_page = client.get(response["Location"])
    assert "设置新密码" in form_page.content.decode()
    response = client.post(
        response["Location"],
        {"new_password1": "Zx9!portal-new-pass", "new_password2": "Zx9!portal-new-pass"},
    )
    assert response["Location"] == reverse("password_reset_complete")
    assert "密码已设置" in client.get(response["Location"]).content.decode()
    user.refresh_from_db()
    assert user.check_password("Zx9!portal-new-pass")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(demo, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.cn"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_used_link_says_so(client):
    page = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert "此链接已失效" in page.content.decode()


def test_a_logged_in_user_changes_the_password(web_for):
    client = web_for("operator-general")
    page = client.get(reverse("password_change")).content.decode()
    assert BRAND in page and "修改密码" in page
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "demo-password",
            "new_password1": "Zx9!portal-changed",
            "new_password2": "Zx9!portal-changed",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    assert "您的密码已修改。" in client.get(response["Location"]).content.decode()


def test_an_authority_account_changes_its_password_only_after_its_second_factor(web_for):
    client = web_for("reviewer-gd", verified=False)
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("two-factor") in response["Location"]
