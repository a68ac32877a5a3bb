<?xml version="1.0" encoding="utf-8"?>
<!--
  The feeds' page in a browser: RSS 2.0 and Atom, as a readable page that says
  what a feed is and how to subscribe, and lists the latest posts. Feed readers
  ignore it. The style element below is allowed by its hash in the site's
  Content-Security-Policy (style-src in cms/settings.py): change one, change both
  (tests/test_feeds.py checks they agree).
-->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:variable name="home" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
  <!-- STATIC_URL, read from the feed's own reference to this stylesheet. -->
  <xsl:variable name="static" select="substring-before(substring-after(/processing-instruction('xml-stylesheet'), 'href=&quot;'), 'news/feed.')"/>
  <xsl:variable name="lang">
    <xsl:choose>
      <xsl:when test="/rss/channel/language"><xsl:value-of select="/rss/channel/language"/></xsl:when>
      <xsl:when test="/atom:feed/@xml:lang"><xsl:value-of select="/atom:feed/@xml:lang"/></xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <link rel="icon" href="{$static}favicon.svg" type="image/svg+xml"/>
        <style>body{font:1.0625rem/1.6 system-ui,sans-serif;max-width:42rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}a{color:#0b57d0}.note{background:#eef3fb;border-left:4px solid #0b57d0;padding:.75rem 1rem}code{word-break:break-all;background:#f2f2f2;padding:0 .2em}ol{padding:0;list-style:none}li{border-top:1px solid #ccc;padding:.75rem 0}h3{font-size:1.15rem;margin:0}.meta{color:#595959;font-size:.9rem;margin:.25rem 0}@media (prefers-color-scheme:dark){body{color:#eee;background:#121212}a{color:#8ab4f8}.note{background:#1d2733;border-color:#8ab4f8}code{background:#2a2a2a}.meta{color:#bdbdbd}}</style>
      </head>
      <body>
        <header>
          <p><a href="{$home}">Back to <xsl:value-of select="$title"/></a></p>
        </header>
        <main>
          <h1><xsl:value-of select="$title"/>: web feed</h1>
          <div class="note">
            <p>This is a web feed: a list of the latest posts that a feed reader checks for you. To subscribe, copy this page's address into your feed reader (such as NetNewsWire, Feedly, Thunderbird or Inoreader):</p>
            <p><code><xsl:value-of select="$self"/></code></p>
            <p>Nothing here needs installing to read the site: the posts are also on <a href="{$home}">the site itself</a>.</p>
          </div>
          <h2>Latest posts</h2>
          <ol>
            <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <p class="meta"><xsl:value-of select="pubDate"/></p>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <h3><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="meta"><xsl:value-of select="substring(atom:published, 1, 10)"/></p>
    </li>
  </xsl:template>
</xsl:stylesheet>
