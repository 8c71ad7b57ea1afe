"""Every prompt template renders with its placeholders and nothing is left unfilled."""
import pytest

import prompts


@pytest.mark.parametrize("name", prompts.names())
def test_template_renders(name):
    values = {p: f"<{p}>" for p in prompts.placeholders(name)}
    out = prompts.render(name, **values)
    assert "$" not in out and all(v in out for v in values.values())


def test_missing_value_is_an_error():
    with pytest.raises(KeyError):
        prompts.render("choose_user", question="x")


def test_chooser_prompt_asks_for_one_digit():
    system = prompts.render("choose_system")
    assert "một chữ số" in system and "0" in system
