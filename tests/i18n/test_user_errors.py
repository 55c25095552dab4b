"""A `UserError` speaks the member's language: message ids with named placeholders, numbers
with the language's separators, catalog terms (a rating) translated, plurals by the
language's rules; English (`str`) stays the source text."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowed, UserError
from bot.i18n import Catalogs, Quantity
from bot.stories.importers import check_upload


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs()


def test_an_upload_over_the_limit_is_explained_with_each_languages_numbers(
    catalogs: Catalogs,
) -> None:
    size = 12 * 1_048_576 + 524_288  # 12.5 MB
    with pytest.raises(UserError) as caught:
        check_upload("big.epub", size)
    error = caught.value
    assert str(error) == (
        "`big.epub` is 12.5 MB; the limit is 10 MB. "
        "Split the story into parts, or remove images from the EPUB."
    )
    assert error.render(catalogs.speaker("fr")).startswith(
        "`big.epub` fait 12,5 Mo ; la limite est de 10 Mo."
    )
    assert error.render(catalogs.speaker("de")).startswith(
        "`big.epub` ist 12,5 MB groß; die Grenze liegt bei 10 MB."
    )


def test_a_rating_param_is_translated_as_a_term(catalogs: Catalogs) -> None:
    error = NotAllowed(
        "“{title}” is rated {rating}; {channel} is not age-restricted.",
        params={"title": "Tale", "rating": "Explicit", "channel": "<#1>"},
        terms=("rating",),
    )
    assert str(error) == "“Tale” is rated Explicit; <#1> is not age-restricted."
    assert error.render(catalogs.speaker("fr")) == (
        "« Tale » est classée Explicite ; <#1> n'est pas soumis à une limite d'âge."
    )


def test_counting_errors_use_the_languages_plural_forms(catalogs: Catalogs) -> None:
    def missing(n: int) -> UserError:
        return UserError(
            "{title} ({n} word)",
            plural="{title} ({n} words)",
            params={"title": "Licence", "n": n},
        )

    assert str(missing(1)) == "Licence (1 word)"
    assert str(missing(12_345)) == "Licence (12,345 words)"
    fr = catalogs.speaker("fr")
    assert missing(0).render(fr) == "Licence (0 mot)"  # French: 0 is singular
    assert missing(12_345).render(fr) == "Licence (12\u202f345 mots)"
    assert missing(2).render(catalogs.speaker("de")) == "Licence (2 Wörter)"


def test_quantities_read_as_english_outside_a_speaker() -> None:
    assert f"{Quantity(1234.56, decimals=1)}" == "1,234.6"
    assert str(Quantity(7)) == "7"
