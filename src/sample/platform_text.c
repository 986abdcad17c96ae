/* Profile and message texts of the sample platform.
 *
 * Natural texts are composed from groups of sentence templates (opening,
 * experience, skills, working style, availability, closing) whose slots take
 * the person's surname, role, works and tools of the category, years,
 * counts, prices: several thousand distinct sentences, so two ordinary
 * profiles are rarely near-identical. Stilted texts imitate machine
 * translation and learners' Japanese as seen in DPRK IT workers' profiles:
 * wrong particles (をを, あるの開発者), plain verb + です (するです),
 * です/である mixing, 私の名前は / 経験を持って calques, spaces between
 * words, Western punctuation. The text engine (docs/text.md) is meant to
 * score them clearly lower; the tests check it does.
 *
 * Template slots: %S surname, %R role, %W work, %T %U tools, %Y years,
 * %N count, %C city, %H hours, %D days, %P price, %Q topic, %K tenths,
 * %A wallet, %G Telegram, %O WhatsApp, %X Skype, %% a percent sign. */
#include <string.h>

#include "platform_internal.h"

#define COUNT(a) (sizeof a / sizeof a[0])

struct vocab {
    const char *role;
    const char *works[6];
    const char *tools[6];
};

static const struct vocab vocab[SHN__SAMPLE_CATEGORIES] = {
    {"Webエンジニア",
     {"Webサイト制作", "ECサイトの構築", "LPのコーディング", "WordPressのカスタマイズ",
      "Webアプリケーション開発", "既存サイトの改修"},
     {"PHP", "Laravel", "React", "TypeScript", "WordPress", "Vue.js"}},
    {"アプリエンジニア",
     {"iOSアプリ開発", "Androidアプリ開発", "スマホアプリの改修", "Flutterでのアプリ開発",
      "アプリの画面実装", "ストア申請のサポート"},
     {"Swift", "Kotlin", "Flutter", "React Native", "Firebase", "Dart"}},
    {"デザイナー",
     {"ロゴデザイン", "バナー制作", "名刺やチラシのデザイン", "Webデザイン", "アプリの画面デザイン",
      "パッケージデザイン"},
     {"Illustrator", "Photoshop", "Figma", "InDesign", "Canva", "Procreate"}},
    {"翻訳者",
     {"英日翻訳", "日英翻訳", "技術文書の翻訳", "契約書の翻訳", "字幕翻訳",
      "Webサイトのローカライズ"},
     {"Trados", "memoQ", "CATツール", "Excel", "Googleスプレッドシート", "Word"}},
    {"データアナリスト",
     {"データ入力", "データ分析", "スクレイピング", "Excelの集計作業", "ダッシュボード作成",
      "機械学習モデルの構築"},
     {"Python", "Excel", "SQL", "Tableau", "pandas", "Googleスプレッドシート"}},
    {"ライター",
     {"SEO記事の執筆", "ブログ記事の作成", "取材記事の執筆", "商品紹介文の作成", "メルマガの作成",
      "校正・校閲"},
     {"WordPress", "Googleドキュメント", "Word", "Notion", "Excel", "Canva"}},
    {"テストエンジニア",
     {"Webアプリのテスト", "スマホアプリの検証", "テスト設計", "不具合の報告", "回帰テスト",
      "テストの自動化"},
     {"Selenium", "Jira", "Excel", "Playwright", "Postman", "TestRail"}},
    {"動画クリエイター",
     {"YouTube動画の編集", "ショート動画の制作", "字幕入れ", "モーショングラフィックス",
      "企業PR動画の制作", "サムネイル制作"},
     {"Premiere Pro", "After Effects", "DaVinci Resolve", "Final Cut Pro", "Photoshop",
      "Illustrator"}},
};

static const char *const topics[] = {"画像のサイズ", "納品形式",   "文字数",     "対応ブラウザ",
                                     "色味",         "締め切り日", "ファイル名", "修正の回数"};

struct slots {
    const struct shn__sample_name *name;
    int category, years;
    const struct shn__sample_push *push;
};

/* Appends template t with its slots filled in. */
static int expand(struct shn_buf *b, struct shn_rng *r, const char *t, const struct slots *s)
{
    const struct vocab *v = &vocab[s->category];
    const char *run = t;
    size_t tool = (size_t)shn_rng_below(r, 6);
    int rc = SHN_OK;

    for (; rc == SHN_OK && *t; t++) {
        if (*t != '%' || !t[1])
            continue;
        rc = shn_buf_append(b, run, (size_t)(t - run));
        if (rc != SHN_OK)
            break;
        switch (*++t) {
        case 'S':
            rc = shn_buf_append_str(b, s->name ? s->name->surname : "山田");
            break;
        case 'R':
            rc = shn_buf_append_str(b, v->role);
            break;
        case 'W':
            rc = shn_buf_append_str(b, v->works[shn_rng_below(r, 6)]);
            break;
        case 'T':
            rc = shn_buf_append_str(b, v->tools[tool]);
            break;
        case 'U':
            rc = shn_buf_append_str(b, v->tools[(tool + 1 + shn_rng_below(r, 5)) % 6]);
            break;
        case 'Y':
            rc = shn_buf_appendf(b, "%d", s->years);
            break;
        case 'N':
            rc = shn_buf_appendf(b, "%u", 10u * (unsigned)(2 + shn_rng_below(r, 30)));
            break;
        case 'C':
            rc = shn_buf_append_str(b, shn__sample_city(r));
            break;
        case 'H':
            rc = shn_buf_appendf(b, "%u", 10u + 5u * (unsigned)shn_rng_below(r, 7));
            break;
        case 'D':
            rc = shn_buf_appendf(b, "%u", 2u + (unsigned)shn_rng_below(r, 12));
            break;
        case 'P':
            rc = shn_buf_appendf(b, "%u,000", 5u * (unsigned)(1 + shn_rng_below(r, 40)));
            break;
        case 'Q':
            rc = shn_buf_append_str(b, topics[shn_rng_below(r, COUNT(topics))]);
            break;
        case 'K':
            rc = shn_buf_appendf(b, "%u", 2u + (unsigned)shn_rng_below(r, 7));
            break;
        case 'A':
            rc = shn_buf_append_str(b, s->push && s->push->wallet ? s->push->wallet : "");
            break;
        case 'G':
            rc = shn_buf_append_str(b, s->push && s->push->telegram ? s->push->telegram : "");
            break;
        case 'O':
            rc = shn_buf_append_str(b, s->push && s->push->whatsapp ? s->push->whatsapp : "");
            break;
        case 'X':
            rc = shn_buf_append_str(b, s->push && s->push->skype ? s->push->skype : "");
            break;
        default:
            rc = shn_buf_append_char(b, *t);
            break;
        }
        run = t + 1;
    }
    if (rc == SHN_OK)
        rc = shn_buf_append(b, run, (size_t)(t - run));
    return rc;
}

#define PICK(r, a) (a[shn_rng_below(r, COUNT(a))])

/* ------------------------------------------------------------ natural */

static const char *const opening[] = {
    "はじめまして、%Sと申します。",
    "ご覧いただきありがとうございます。%Rの%Sです。",
    "%C在住のフリーランス%Rの%Sです。",
    "プロフィールをご覧いただき、ありがとうございます。%Sと申します。",
    "%Rをしております、%Sです。",
    "フリーランスで%Rをしている%Sです。",
    "%Sと申します。%Cで%Rとして働いています。",
    "%Cを拠点に活動している%Rの%Sです。",
    "はじめまして。%Rの%Sと申します。",
};
static const char *const experience[] = {
    "%Y年ほど、%Wを中心に経験を積んできました。",
    "これまでに%N件以上の%Wを担当しました。",
    "前職では%Wを担当し、独立して%Y年になります。",
    "会社員時代から数えると、%Wの経験は%Y年ほどになります。",
    "直近では%Wの案件に携わっていました。",
    "個人・法人を問わず、%Wのご依頼を%N件ほどお受けしてきました。",
    "%Y年間、制作会社で%Wに携わってきました。",
    "主に%Wのお仕事をいただいております。",
    "%Wと%Wの両方を経験してきました。",
    "事業会社の社内担当として%Y年、%Wを続けてきました。",
};
static const char *const skills[] = {
    "%Tと%Uを使った%Wが得意です。",
    "特に%Tには自信があります。",
    "%Tの実務経験は%Y年ほどです。",
    "最近は%Uも積極的に取り入れています。",
    "%Tでの作業であれば、短納期にも対応できます。",
    "要件の整理から%Wまで、一貫して対応いたします。",
    "%Tのほか、%Uも扱えます。",
    "%Wでは、見やすさと使いやすさを意識しています。",
};
static const char *const style[] = {
    "丁寧なコミュニケーションと納期厳守を心がけています。",
    "ご不明な点があれば、お気軽にご相談ください。",
    "修正のご依頼にも柔軟に対応いたします。",
    "進捗はこまめにご報告いたします。",
    "お客様のご要望をしっかり伺ったうえで作業を進めます。",
    "分かりやすい説明を大切にしています。",
    "小さなご依頼でも喜んでお受けします。",
    "継続的なお取引も歓迎しております。",
    "納品後のフォローもお任せください。",
    "やり取りはチャットが中心ですが、必要に応じてオンライン会議も可能です。",
    "品質と納期の両立を何より大切にしています。",
    "はじめてご依頼される方にも安心していただけるよう、丁寧に進めます。",
    "ご予算に合わせたご提案もいたします。",
    "急ぎの案件も、まずはご相談ください。",
    "細かな点まで確認しながら作業するよう心がけています。",
    "返信はなるべく当日中にするようにしています。",
};
static const char *const availability[] = {
    "週に%H時間ほど稼働できます。",
    "平日の日中は連絡がつきやすいです。",
    "土日も対応可能です。",
    "夜間や週末のご連絡にも、できるだけ早めに返信いたします。",
    "子育て中のため、作業は主に平日の日中となります。",
    "本業の都合で、作業時間は平日の夜と週末が中心です。",
    "現在、新規のご依頼を受け付けております。",
};
static const char *const closing[] = {
    "どうぞよろしくお願いいたします。",
    "よろしくお願いします。",
    "お気軽にお声がけください。",
    "ご連絡をお待ちしております。",
    "まずはお気軽にメッセージをお送りください。",
    "一緒にお仕事できるのを楽しみにしております。",
};

int shn__sample_profile_natural(struct shn_buf *b, struct shn_rng *r, int category,
                                const struct shn__sample_name *n, int years)
{
    struct slots s = {n, category, years, NULL};
    size_t first = (size_t)shn_rng_below(r, COUNT(style));
    unsigned n_style = 1 + (unsigned)shn_rng_below(r, 3);
    int rc = expand(b, r, PICK(r, opening), &s);

    if (rc == SHN_OK)
        rc = expand(b, r, PICK(r, experience), &s);
    if (rc == SHN_OK && shn_rng_below(r, 2))
        rc = expand(b, r, PICK(r, experience), &s);
    if (rc == SHN_OK)
        rc = expand(b, r, PICK(r, skills), &s);
    if (rc == SHN_OK && shn_rng_below(r, 2))
        rc = expand(b, r, PICK(r, skills), &s);
    if (rc == SHN_OK && shn_rng_below(r, 3) == 0)
        rc = shn_buf_append_char(b, '\n');
    /* distinct style sentences: a run from a random start */
    for (unsigned i = 0; rc == SHN_OK && i < n_style; i++)
        rc = expand(b, r, style[(first + i * 5) % COUNT(style)], &s);
    if (rc == SHN_OK && shn_rng_below(r, 2))
        rc = expand(b, r, PICK(r, availability), &s);
    if (rc == SHN_OK && shn_rng_below(r, 2))
        rc = shn_buf_append_char(b, '\n');
    if (rc == SHN_OK)
        rc = expand(b, r, PICK(r, closing), &s);
    return rc;
}

static const char *const learner[] = {
    "日本語はまだ勉強中ですので、分かりにくい表現があればすみません。",
    "私は%Y年間の経験を持っています。",
    "日本に来て%Y年になります、日本語で仕事できます。",
    "母国語は日本語ではありませんが、ビジネスメールは問題ありません。",
    "私は%Tが得意です、よろしくお願いします。",
    "丁寧にお仕事をするのを心がけます。",
};

int shn__sample_profile_learner(struct shn_buf *b, struct shn_rng *r, int category,
                                const struct shn__sample_name *n, int years)
{
    struct slots s = {n, category, years, NULL};
    int rc = expand(b, r, PICK(r, opening), &s);

    if (rc == SHN_OK)
        rc = expand(b, r, PICK(r, learner), &s);
    if (rc == SHN_OK)
        rc = expand(b, r, PICK(r, skills), &s);
    if (rc == SHN_OK && shn_rng_below(r, 2))
        rc = expand(b, r, PICK(r, learner), &s);
    if (rc == SHN_OK)
        rc = expand(b, r, PICK(r, style), &s);
    if (rc == SHN_OK)
        rc = expand(b, r, PICK(r, closing), &s);
    return rc;
}

static const char *const messages[] = {
    "ご連絡ありがとうございます。%D日ほどで納品できる見込みです。",
    "お見積もりは%P円でいかがでしょうか。",
    "仕様について一点確認させてください。%Qについては、こちらで判断してよろしいでしょうか。",
    "本日、修正版をお送りしました。ご確認をお願いいたします。",
    "承知しました。明日までに対応いたします。",
    "ご依頼いただきありがとうございます。早速作業を始めます。",
    "納品物をアップロードしました。気になる点があればお知らせください。",
    "お世話になっております。進捗をご報告します。現在、全体の%K割ほど完了しています。",
    "素敵なご依頼をありがとうございました。またの機会がありましたら、よろしくお願いいたします。",
    "ご提示の納期で問題ありません。",
    "%Tでの対応を想定していますが、よろしいでしょうか。",
    "資料を拝見しました。%Wであれば、%D日ほどいただければ対応できます。",
    "申し訳ありません、確認が遅くなりました。",
    "追加のご要望についても対応可能です。お見積もりをお送りしますね。",
    "評価をいただきありがとうございました。",
    "%Qについて、参考になる例があれば共有いただけますか。",
    "お世話になっております。先ほどの件、承知いたしました。",
    "念のため、%Qの最終版をお送りいただけますでしょうか。",
    "ご確認ありがとうございます。それでは、この内容で進めさせていただきます。",
    "恐れ入りますが、納期を%D日ほど延ばしていただくことは可能でしょうか。",
};
static const char *const paypal_messages[] = {
    "海外からのご依頼の場合は、PayPalでのお支払いにも対応しております。",
    "PayPalでの受け取りも可能ですので、ご都合のよい方法をお選びください。",
};

int shn__sample_message_natural(struct shn_buf *b, struct shn_rng *r, int category, int paypal)
{
    struct slots s = {NULL, category, 3, NULL};
    int rc = expand(b, r, PICK(r, messages), &s);

    if (rc == SHN_OK && shn_rng_below(r, 2))
        rc = expand(b, r, PICK(r, messages), &s);
    if (rc == SHN_OK && paypal)
        rc = expand(b, r, PICK(r, paypal_messages), &s);
    return rc;
}

/* ------------------------------------------------------------ stilted */

/* One template per cell: its personas fill in their own names and years,
 * and each sentence has a second form one persona in three uses. */
static const char *const stilted_profiles[][7][2] = {
    {{"こんにちは、私は%Rの%Sです。", "こんにちは、私は%Sです、%Rです。"},
     {"私は%Y年以上の経験を持っているの開発者です。",
      "私は%Y年以上の経験を持っているの専門家です。"},
     {"私は%Tと%Uをを使用して高品質の%Wを作るできます。",
      "私は%Tをを使用して高品質の%Wを作るできます。"},
     {"あなたのプロジェクトを早いに完成するです。", "あなたのプロジェクトを早いに完成するである。"},
     {"価格はとても安いですので、安心して私を選択してください。",
      "価格は安いですので、安心して私を選択してください。"},
     {"24時間 いつでも 連絡 可能である。", "24時間 いつでも 連絡 可能です。"},
     {"よろしくお願いします", "よろしくお願いします!"}},
    {{"私の名前は%Sである。", "私の名前は%Sです。"},
     {"私は日本に住んでいますの%Rです。", "私は日本に住んでいますの%Rである。"},
     {"%Tの経験を持って%Y年です、多くのの成功したプロジェクトがあります。",
      "%Tの経験を持って%Y年以上です、多くのの成功したプロジェクトがあります。"},
     {"あなたの要求を理解するして、最高の結果を提供するです。",
      "あなたの要求を理解するして、最高の結果を提供するである。"},
     {"私のチームは 速い と 安い の サービスを 提供します。",
      "私のチームは 速い と 安い の サービスです。"},
     {"いつも顧客の満足を第一に考えるである.", "いつも顧客の満足を第一に考えるです."},
     {"あなたの連絡を待っているです。", "あなたの連絡を待っているである。"}},
    {{"はじめまして、私は%Sと言います、%Rである。", "はじめまして、私は%Sと言います、%Rです。"},
     {"私は%Wにおいて豊富なの経験を持っています。", "私は%Wについて豊富なの経験を持っています。"},
     {"私は責任感があるの人です。", "私は責任感があるの人である。"},
     {"良いのアイデアを提供することができるです。", "良いのデザインを提供することができるです。"},
     {"あなたは私を雇うなら、後悔しないでしょう。", "あなたが私を雇うなら、後悔しないである。"},
     {"私の価格は市場より安いです, 品質は高いです.", "私の価格は市場より安い, 品質は高いです."},
     {"%Tと%Uが使うできます。", "%Tが使うできます。"}},
    {{"お客様、こんにちは。私は%Sです。", "お客様、こんにちは。私は%Rの%Sです。"},
     {"私は%Y年間%Tで仕事をしましたである。", "私は%Y年間%Tで仕事をしたです。"},
     {"%Wをを担当することが得意なです。", "%Wをを担当するのが得意なです。"},
     {"あなたのために最善を尽くすします。", "あなたのために最善を尽くすです。"},
     {"納期を必ず守るです、心配しないでください。", "納期を必ず守るである、心配しないでください。"},
     {"私は 日本語 も 英語 も 話せます。", "私は 日本語 と 英語 が 話せます。"},
     {"私に連絡するしてください。", "私にメッセージを送るしてください。"}},
};

int shn__sample_profile_stilted(struct shn_buf *b, struct shn_rng *r, unsigned tmpl, int category,
                                const struct shn__sample_name *n, int years)
{
    struct slots s = {n, category, years, NULL};
    size_t t = tmpl % COUNT(stilted_profiles);
    /* cells beyond the template count rotate the sentences, so two cells
     * never share a profile word for word */
    size_t rot = tmpl / COUNT(stilted_profiles);
    int rc = SHN_OK;

    for (size_t i = 0; rc == SHN_OK && i < 7; i++) {
        size_t k = (i + rot) % 7;
        rc = expand(b, r, stilted_profiles[t][k][shn_rng_below(r, 3) == 0], &s);
    }
    return rc;
}

static const char *const stilted_plain[] = {
    "こんにちは、私はあなたのプロジェクトに興味を持っています。",
    "私はあなたの仕事を今すぐ始めるできるです。",
    "あなたの返事を待っているです。",
    "作業はもう始めるしました、明日に送るです。",
    "私はこの%Wをたくさん作ったの経験があります。",
    "あなたの要求は全部理解したです。",
    "私は今すぐ始めることができるです。",
};
static const char *const stilted_crypto[] = {
    "支払いはUSDT(TRC20)でお願いするです。私のウォレットアドレスは%Aである。",
    "銀行振込は難しいですので、暗号資産で支払うしてください。ウォレット: %A",
    "ビットコインで支払う可能ですか？手数料が安いのです。",
    "USDTで支払うなら、10%%割引をするです。アドレスは%Aです。",
    "仮想通貨のウォレットに送金するしてください: %A",
    "プラットフォームの支払いは遅いのです。ETHかUSDTで直接に送るしてください。%A",
};
static const char *const stilted_off[] = {
    "このサイトの手数料は高いです, Telegramで直接連絡してください: %G",
    "WhatsApp %O にあなたは連絡するです。",
    "あなたはSkypeで私と話すです。ID: %X",
    "サイトの外で話す方が早いです。Telegram %G に連絡をするです。",
    "詳しいことはTelegramで話すです: %G",
};
static const char *const stilted_prepay[] = {
    "作業開始の前に、あなたは前払い50%%を払うが必要です。",
    "先に全額を前払いするしてくれると、早いに始めることができるです。",
    "前払いをしないなら、私は始めるできないです。",
    "半分を前払いで送るしてください、それから作業を始めるです。",
};

int shn__sample_message_stilted(struct shn_buf *b, struct shn_rng *r, int kind, int category,
                                const struct shn__sample_push *push)
{
    struct slots s = {NULL, category, 5, push};
    int rc = SHN_OK;

    if (shn_rng_below(r, 2))
        rc = expand(b, r, PICK(r, stilted_plain), &s);
    if (rc != SHN_OK)
        return rc;
    switch (kind) {
    case 1:
        rc = expand(b, r, PICK(r, stilted_crypto), &s);
        break;
    case 2:
        rc = expand(b, r, PICK(r, stilted_off), &s);
        break;
    case 3:
        rc = expand(b, r, PICK(r, stilted_prepay), &s);
        break;
    default:
        rc = expand(b, r, PICK(r, stilted_plain), &s);
        break;
    }
    return rc;
}

int shn__sample_skills(struct shn_buf *b, struct shn_rng *r, int category)
{
    const struct vocab *v = &vocab[category];
    size_t first = (size_t)shn_rng_below(r, 6), n = 2 + (size_t)shn_rng_below(r, 3);
    int rc = shn_buf_append_char(b, '[');

    for (size_t i = 0; rc == SHN_OK && i < n; i++) {
        if (i)
            rc = shn_buf_append_char(b, ',');
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(b, v->tools[(first + i) % 6]);
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_char(b, ']');
    return rc;
}
