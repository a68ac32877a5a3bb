"""Sites written for other generators, in the shapes their documentation gives:
each imports with its dates, taxonomies and images, and exports byte for byte."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from news.documents.exporter import (
    DirectoryWriter,
    document_for,
    export,
    posts_for_export,
)
from news.documents.importer import Importer
from news.models import Author, Category, Post, PostAuthor

from .factories import image_bytes, read_tree, write_tree

pytestmark = pytest.mark.django_db

# Hugo: TOML between +++, categories and tags as lists, images as a list whose
# first is the social image, draft, slug; static files under static/.
HUGO = {
    "content/posts/first-release.md": """+++
title = "First release"
date = 2023-05-01T10:00:00+02:00
lastmod = 2023-05-03T09:00:00+02:00
draft = false
slug = "first-release"
description = "What is new."
tags = ["go", "web"]
categories = ["Releases", "Go"]
authors = ["Rob", "Ken"]
images = ["/img/cover.png"]
+++

The cover, and a chart:

![chart](/img/chart.png)
""",
    "content/posts/unfinished.md": """+++
title = "Unfinished"
date = 2023-06-01
draft = true
+++
Later.
""",
    "static/img/cover.png": image_bytes(color=(10, 20, 30)),
    "static/img/chart.png": image_bytes(color=(30, 20, 10)),
}

# Zola: TOML, taxonomies and a theme's keys in their tables, assets beside
# index.md in a page's folder, static files under static/, _index.md sections.
ZOLA = {
    "content/blog/_index.md": '+++\ntitle = "Blog"\nsort_by = "date"\n+++\n',
    "content/blog/first-light/index.md": """+++
title = "First light"
path = "observatory/first-light"
date = 2024-03-01T09:30:00Z
updated = 2024-03-02
description = "The telescope works."

[taxonomies]
tags = ["astronomy", "hardware"]
categories = ["Observatory"]

[extra]
banner = "dome.png"
author = "Vera"
toc = true
+++

The dome at dusk, and the first frame:

![frame](/img/frame.png)
""",
    "content/blog/first-light/dome.png": image_bytes(color=(5, 5, 60)),
    "static/img/frame.png": image_bytes(color=(60, 5, 5)),
}

# Docusaurus: blog/authors.yml, posts naming its keys or inline authors,
# dates from file and folder names, a post's folder with its image beside it,
# static files under static/, and an .mdx post.
DOCUSAURUS = {
    "blog/authors.yml": """yangshun:
  name: Yangshun Tay
  title: Front End Engineer @ Facebook
  url: https://github.com/yangshun
  image_url: https://github.com/yangshun.png
slorber:
  name: Sébastien Lorber
  title: Docusaurus maintainer
  url: https://sebastienlorber.com
  image_url: /img/slorber.png
  socials:
    x: sebastienlorber
""",
    "blog/2019-05-28-first-blog-post.md": """---
slug: first-blog-post
title: First Blog Post
authors: [slorber, yangshun]
tags: [hola, docusaurus]
---

Lorem ipsum dolor sit amet...

<!-- truncate -->

...consectetur adipiscing elit.
""",
    "blog/2021-08-26-welcome/index.md": """---
slug: welcome
title: Welcome
authors:
  - name: Joel Marcey
    title: Co-creator of Docusaurus 1
    url: https://github.com/JoelMarcey
    image_url: https://github.com/JoelMarcey.png
  - slorber
tags:
  - label: Facebook
    permalink: /facebook
  - hello
image: ./docusaurus-plushie-banner.png
---

![Docusaurus Plushie](./docusaurus-plushie-banner.png)
""",
    "blog/2021-08-26-welcome/docusaurus-plushie-banner.png": image_bytes(
        color=(40, 160, 90)
    ),
    "blog/2021-08-01-mdx-blog-post.mdx": "---\ntitle: MDX\n---\n<Tabs/>\n",
    "static/img/slorber.png": image_bytes(color=(200, 200, 0)),
}

# Astro (content collections): pubDate, updatedDate, heroImage, description.
ASTRO = {
    "src/content/blog/launch.md": """---
title: 'Launch day'
description: 'We launched.'
pubDate: 'Jul 08 2022'
updatedDate: 'Jul 10 2022'
heroImage: '../../assets/launch.png'
author: 'Astro Team'
tags: ["launch"]
---

Text, and a placeholder from public/:

![](/blog-placeholder-1.jpg)
""",
    "src/assets/launch.png": image_bytes(color=(0, 90, 0)),
    "public/blog-placeholder-1.jpg": image_bytes("JPEG", color=(9, 9, 90)),
}

# Hexo: categories as a hierarchy (parent, then child), tags as a list, dates
# with a time and no zone.
HEXO = {
    "source/_posts/hello-world.md": """---
title: Hello World
date: 2013-07-13 20:46:25
updated: 2013-07-14 08:00:00
author: hexo
categories:
- [Diary, Life]
- [Diary, Games]
tags:
- PS3
- Games
---
Welcome. A photo from the post's asset folder, and one from source/images:

![console](console.png)

![](/images/banner.png)
""",
    # A flat list is a hierarchy in Hexo, too: Diary, then Life.
    "source/_posts/flat.md": """---
title: Flat
date: 2013-07-15 10:00:00
categories: [Diary, Life]
tags: retro
---
Flat.
""",
    "source/_posts/hello-world/console.png": image_bytes(color=(1, 2, 3)),
    "source/images/banner.png": image_bytes(color=(3, 2, 1)),
}

# Jekyll: categories as a space-separated string, published: false.
JEKYLL = {
    "_posts/2016-04-19-welcome.markdown": """---
layout: post
title:  "Welcome to Jekyll!"
categories: jekyll update
tags: welcome news
---
Hello.
""",
    "_posts/2016-05-01-hidden.markdown": """---
layout: post
title: Hidden
published: false
---
Not yet.
""",
}


def imported(tmp_path, files, **options):
    root = write_tree(tmp_path / "site", files)
    report = Importer(**options).run([root])
    assert report.failed == 0, report.problems
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    return root, report


def test_a_hugo_site(tmp_path, client):
    root, report = imported(tmp_path, HUGO, site_root="static")
    assert report.warnings == 0, report.problems
    post = Post.objects.get(slug="first-release")
    assert post.published_at == datetime(2023, 5, 1, 8, tzinfo=UTC)
    assert post.lastmod == datetime(2023, 5, 3, 7, tzinfo=UTC)
    assert post.category.name == "Releases"
    assert sorted(t.name for t in post.tags.all()) == ["go", "web"]
    assert post.summary == "What is new."
    assert [b.author.name for b in post.bylines.all()] == ["Rob", "Ken"]
    assert post.banner.sha256 and post.image_links.count() == 2
    assert Post.objects.get(slug="unfinished").status == Post.Status.DRAFT
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Releases" in page and "chart" in page
    assert read_tree(tmp_path / "out") == read_tree(root)


def test_a_zola_site(tmp_path, client):
    root, report = imported(tmp_path, ZOLA, site_root="static")
    assert report.warnings == 0, report.problems
    assert [p.path for p in report.problems] == ["content/blog/_index.md"]
    post = Post.objects.get()
    assert post.published_at == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    assert (post.category.name, post.summary) == ("Observatory", "The telescope works.")
    assert sorted(t.name for t in post.tags.all()) == ["astronomy", "hardware"]
    assert [b.author.name for b in post.bylines.all()] == ["Vera"]
    assert post.banner is not None and post.image_links.count() == 2
    assert post.extra == {"path": "observatory/first-light", "extra": {"toc": True}}
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Observatory" in page and "Vera" in page
    # Zola's `path` is the URL the page had.
    response = client.get("/observatory/first-light/")
    assert (response.status_code, response["Location"]) == (
        301,
        post.get_absolute_url(),
    )
    exported = read_tree(tmp_path / "out")
    assert exported == {k: v for k, v in read_tree(root).items() if "_index" not in k}


def test_an_edited_zola_post_is_written_back_into_its_tables(tmp_path):
    imported(tmp_path, ZOLA, site_root="static")
    post = Post.objects.select_related("source").get()
    post.category = Category.objects.create(name="Optics", slug="optics")
    post.save()
    _, data, rewritten, _ = document_for(post)
    assert rewritten
    source = ZOLA["content/blog/first-light/index.md"]
    assert data.decode() == source.replace('["Observatory"]', '["Optics"]')


def test_a_docusaurus_site(tmp_path, client):
    root, report = imported(tmp_path, DOCUSAURUS, site_root="static")
    assert report.warnings == 0, report.problems
    assert report.skipped == 1  # the .mdx post
    first = Post.objects.get(slug="first-blog-post")
    welcome = Post.objects.get(slug="welcome")
    assert first.published_at.date().isoformat() == "2019-05-28"
    assert welcome.published_at.date().isoformat() == "2021-08-26"
    assert [b.author.name for b in first.bylines.all()] == [
        "Sébastien Lorber",
        "Yangshun Tay",
    ]
    assert [b.author.name for b in welcome.bylines.all()] == [
        "Joel Marcey",
        "Sébastien Lorber",
    ]
    assert sorted(t.name for t in welcome.tags.all()) == ["Facebook", "hello"]
    assert welcome.banner is not None
    profiles = {
        a.name: (a.bio, a.url, a.avatar is not None) for a in Author.objects.all()
    }
    assert profiles == {
        "Sébastien Lorber": (
            "Docusaurus maintainer",
            "https://sebastienlorber.com",
            True,  # a local image, stored
        ),
        # Remote avatars are not fetched.
        "Yangshun Tay": (
            "Front End Engineer @ Facebook",
            "https://github.com/yangshun",
            False,
        ),
        "Joel Marcey": (
            "Co-creator of Docusaurus 1",
            "https://github.com/JoelMarcey",
            False,
        ),
    }
    page = client.get("/authors/").content.decode()
    assert "Docusaurus maintainer" in page
    # The posts and their images come back; authors.yml is the site's, not a
    # post's, and is not exported.
    exported = read_tree(tmp_path / "out")
    assert exported == {
        k: v for k, v in read_tree(root).items() if k.endswith((".md", "banner.png"))
    }


def test_an_edited_docusaurus_byline_is_written_back_as_its_keys(tmp_path):
    imported(tmp_path, DOCUSAURUS, site_root="static")
    post = Post.objects.select_related("source").get(slug="first-blog-post")
    post.bylines.filter(author__name="Yangshun Tay").delete()
    _, data, rewritten, _ = document_for(post)
    assert rewritten
    assert data.decode() == DOCUSAURUS["blog/2019-05-28-first-blog-post.md"].replace(
        "authors: [slorber, yangshun]", "authors: [slorber]"
    )


def test_an_author_profile_does_not_undo_an_edit(tmp_path):
    Author.objects.create(name="Sébastien Lorber", slug="seb", bio="Our editor.")
    imported(tmp_path, DOCUSAURUS, site_root="static")
    author = Author.objects.get(name="Sébastien Lorber")
    assert (author.bio, author.url) == ("Our editor.", "https://sebastienlorber.com")


def test_an_authors_file_name_no_column_holds_leaves_the_key(tmp_path):
    files = dict(DOCUSAURUS)
    files["blog/authors.yml"] = f"slorber:\n  name: {'x' * 201}\n"
    imported(tmp_path, files, site_root="static")
    post = Post.objects.get(slug="first-blog-post")
    assert [b.author.name for b in post.bylines.all()] == ["slorber", "yangshun"]


def test_an_authors_file_that_cannot_be_read_is_reported_once(tmp_path):
    files = dict(DOCUSAURUS)
    files["blog/authors.yml"] = "slorber:\n  name: [unclosed\n"
    root = write_tree(tmp_path / "site", files)
    report = Importer(site_root="static").run([root])
    assert report.failed == 0
    warnings = [str(p) for p in report.problems if p.path == "blog/authors.yml"]
    assert len(warnings) == 1 and warnings[0].startswith(
        "blog/authors.yml:3: warning: not read: cannot read YAML"
    )
    # The keys are names then.
    post = Post.objects.get(slug="first-blog-post")
    assert [b.author.name for b in post.bylines.all()] == ["slorber", "yangshun"]


def test_an_astro_site(tmp_path):
    root, report = imported(tmp_path, ASTRO, site_root="public")
    assert report.warnings == 0, report.problems
    post = Post.objects.get()
    assert post.published_at.date().isoformat() == "2022-07-08"
    assert post.lastmod.date().isoformat() == "2022-07-10"
    assert post.banner is not None and post.summary == "We launched."
    assert post.image_links.count() == 2
    assert [t.name for t in post.tags.all()] == ["launch"]
    assert [b.author.name for b in post.bylines.all()] == ["Astro Team"]
    assert read_tree(tmp_path / "out") == read_tree(root)


def test_a_hexo_site(tmp_path, client):
    root, report = imported(
        tmp_path, HEXO, site_root="source", old_url="/:year/:month/:day/:title/"
    )
    assert report.warnings == 0, report.problems
    assert [(p.path, p.code) for p in report.problems] == [
        ("source/_posts/hello-world.md", "asset-folder")
    ]
    post = Post.objects.get(slug="hello-world")
    assert post.category.name == "Diary"  # the top of the first hierarchy
    assert sorted(t.name for t in post.tags.all()) == ["Games", "PS3"]
    assert post.published_at.date().isoformat() == "2013-07-13"
    assert post.lastmod.date().isoformat() == "2013-07-14"
    assert [b.author.name for b in post.bylines.all()] == ["hexo"]
    assert post.image_links.count() == 2
    assert Post.objects.get(slug="flat").category.name == "Diary"
    # Hexo's default permalink.
    response = client.get("/2013/07/13/hello-world/")
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()
    assert read_tree(tmp_path / "out") == read_tree(root)


def test_a_jekyll_site(tmp_path):
    root, _ = imported(tmp_path, JEKYLL)
    welcome = Post.objects.get(title="Welcome to Jekyll!")
    # `categories: jekyll update` is two categories; the post is in the first.
    assert welcome.category.name == "jekyll"
    assert sorted(t.name for t in welcome.tags.all()) == ["news", "welcome"]
    assert welcome.published_at.date().isoformat() == "2016-04-19"
    assert Post.objects.get(title="Hidden").status == Post.Status.DRAFT
    assert read_tree(tmp_path / "out") == read_tree(root)


def test_an_edited_category_keeps_the_files_list_shape(tmp_path):
    imported(tmp_path, HEXO, site_root="source")
    post = Post.objects.select_related("source").get(slug="hello-world")
    post.category = Category.objects.create(name="Travel", slug="travel")
    post.save()
    _, data, rewritten, _ = document_for(post)
    assert rewritten
    assert "categories:\n- Travel\n" in data.decode()


# A generator this importer does not know, with keys of its own.
OWN_KEYS = {
    "posts/launch.md": """---
headline: Launch
when: 2022-07-08
hero: launch.png
byline: Ana
meta:
  kicker: News
---
Text.
""",
    "posts/launch.png": image_bytes(color=(0, 90, 0)),
}


def test_map_reads_a_generators_own_keys_and_export_writes_them_back(tmp_path):
    root = write_tree(tmp_path / "site", OWN_KEYS)
    (tmp_path / "fields.txt").write_text("# our CMS\nheadline=title\nwhen=date\n")
    call_command(
        "import_markdown",
        str(root),
        "--map-file",
        str(tmp_path / "fields.txt"),
        "--map",
        "hero=banner",
        "--map",
        "byline=author",
        "--map",
        "meta.kicker=category",
        verbosity=0,
    )
    post = Post.objects.select_related("source").get()
    assert (post.title, post.published_at.date().isoformat()) == (
        "Launch",
        "2022-07-08",
    )
    assert (post.banner is not None, post.category.name) == (True, "News")
    assert [b.author.name for b in post.bylines.all()] == ["Ana"]
    assert post.status == Post.Status.PUBLISHED and post.extra == {}
    assert document_for(post)[1] == OWN_KEYS["posts/launch.md"].encode()

    post.title = "Launched"
    post.save()
    PostAuthor.objects.filter(post=post).update(
        author=Author.objects.create(name="Li", slug="li")
    )
    data = document_for(Post.objects.select_related("source").get())[1].decode()
    assert data == OWN_KEYS["posts/launch.md"].replace(
        "headline: Launch", ("headline: Launched")
    ).replace("byline: Ana", "byline: Li")


def test_importing_again_with_another_map_updates_the_post(tmp_path):
    root = write_tree(tmp_path / "site", OWN_KEYS)
    options = ["--map", "when=date", "--map", "headline=title"]
    call_command("import_markdown", str(root), *options, verbosity=0)
    post = Post.objects.get()
    assert post.extra["byline"] == "Ana" and not post.bylines.exists()
    call_command(
        "import_markdown", str(root), *options, "--map", "byline=authors", verbosity=0
    )
    post = Post.objects.get()
    assert "byline" not in post.extra
    assert [b.author.name for b in post.bylines.all()] == ["Ana"]


@pytest.mark.parametrize(
    "option, message",
    [
        (["--map", "hero=bannr"], "--map: 'hero=bannr': unknown field 'bannr'"),
        (["--map", "hero"], "--map: 'hero' is not KEY=FIELD"),
        (["--map-file", "missing.txt"], "--map: missing.txt: cannot be read"),
    ],
)
def test_a_map_that_cannot_be_read_stops_the_import(tmp_path, option, message):
    root = write_tree(tmp_path / "site", OWN_KEYS)
    with pytest.raises(CommandError) as caught:
        call_command("import_markdown", str(root), *option, verbosity=0)
    assert str(caught.value).startswith(message)
    assert caught.value.returncode == 2
    assert not Post.objects.exists()
