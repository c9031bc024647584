"""One module per page (and one for the JSON API); each owns a blueprint.

Buscar (search), Grabación (recording), Menciones (mentions), Mención (mention), Artículo (article),
Síntesis (digest), Informe semanal (weekly), Estado (status), Palabras clave (keywords; its JSON API:
keywords_api), sign-in (auth), the audio route (audio), a clip's own page (clip) and the JSON API (api).
"""

from radiomon.web.views import (
                  api,
                  article,
                  audio,
                  auth,
                  clip,
                  digest,
                  keywords,
                  keywords_api,
                  mention,
                  mentions,
                  recording,
                  search,
                  status,
                  weekly,
)

ALL_BLUEPRINTS = (auth.bp, search.bp, audio.bp, recording.bp, mentions.bp, mention.bp, article.bp, digest.bp,
                  status.bp, api.bp, keywords.bp, keywords_api.bp, clip.bp,
                  weekly.bp)

__all__ = ["ALL_BLUEPRINTS"]
