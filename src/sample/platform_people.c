/* Names, addresses and job categories of the sample platform. The names
 * are common Japanese surnames and given names combined at random; the
 * people are FICTIONAL. */
#include "platform_internal.h"

const char *const shn__sample_category[SHN__SAMPLE_CATEGORIES] = {
    "web", "mobile", "design", "translation", "data", "writing", "qa", "video"};
/* Typical price of one job in yen; bids spread log-normally around it. */
const double shn__sample_category_median[SHN__SAMPLE_CATEGORIES] = {80000, 120000, 40000, 25000,
                                                                    60000, 15000,  50000, 35000};

struct nm {
    const char *kanji, *kana, *latin;
};

static const struct nm surnames[] = {
    {"佐藤", "サトウ", "Sato"},
    {"鈴木", "スズキ", "Suzuki"},
    {"高橋", "タカハシ", "Takahashi"},
    {"田中", "タナカ", "Tanaka"},
    {"伊藤", "イトウ", "Ito"},
    {"渡辺", "ワタナベ", "Watanabe"},
    {"山本", "ヤマモト", "Yamamoto"},
    {"中村", "ナカムラ", "Nakamura"},
    {"小林", "コバヤシ", "Kobayashi"},
    {"加藤", "カトウ", "Kato"},
    {"吉田", "ヨシダ", "Yoshida"},
    {"山田", "ヤマダ", "Yamada"},
    {"佐々木", "ササキ", "Sasaki"},
    {"山口", "ヤマグチ", "Yamaguchi"},
    {"松本", "マツモト", "Matsumoto"},
    {"井上", "イノウエ", "Inoue"},
    {"木村", "キムラ", "Kimura"},
    {"林", "ハヤシ", "Hayashi"},
    {"斎藤", "サイトウ", "Saito"},
    {"清水", "シミズ", "Shimizu"},
    {"山崎", "ヤマザキ", "Yamazaki"},
    {"森", "モリ", "Mori"},
    {"池田", "イケダ", "Ikeda"},
    {"橋本", "ハシモト", "Hashimoto"},
    {"阿部", "アベ", "Abe"},
    {"石川", "イシカワ", "Ishikawa"},
    {"山下", "ヤマシタ", "Yamashita"},
    {"中島", "ナカジマ", "Nakajima"},
    {"石井", "イシイ", "Ishii"},
    {"小川", "オガワ", "Ogawa"},
    {"前田", "マエダ", "Maeda"},
    {"岡田", "オカダ", "Okada"},
    {"長谷川", "ハセガワ", "Hasegawa"},
    {"藤田", "フジタ", "Fujita"},
    {"後藤", "ゴトウ", "Goto"},
    {"近藤", "コンドウ", "Kondo"},
    {"村上", "ムラカミ", "Murakami"},
    {"遠藤", "エンドウ", "Endo"},
    {"青木", "アオキ", "Aoki"},
    {"坂本", "サカモト", "Sakamoto"},
    {"斉藤", "サイトウ", "Saito"},
    {"福田", "フクダ", "Fukuda"},
    {"太田", "オオタ", "Ota"},
    {"西村", "ニシムラ", "Nishimura"},
    {"藤井", "フジイ", "Fujii"},
    {"金子", "カネコ", "Kaneko"},
    {"岡本", "オカモト", "Okamoto"},
    {"藤原", "フジワラ", "Fujiwara"},
    {"中野", "ナカノ", "Nakano"},
    {"三浦", "ミウラ", "Miura"},
    {"原田", "ハラダ", "Harada"},
    {"中川", "ナカガワ", "Nakagawa"},
    {"松田", "マツダ", "Matsuda"},
    {"竹内", "タケウチ", "Takeuchi"},
    {"小野", "オノ", "Ono"},
    {"田村", "タムラ", "Tamura"},
    {"中山", "ナカヤマ", "Nakayama"},
    {"和田", "ワダ", "Wada"},
    {"石田", "イシダ", "Ishida"},
    {"上田", "ウエダ", "Ueda"},
    {"森田", "モリタ", "Morita"},
    {"原", "ハラ", "Hara"},
    {"柴田", "シバタ", "Shibata"},
    {"酒井", "サカイ", "Sakai"},
    {"工藤", "クドウ", "Kudo"},
    {"横山", "ヨコヤマ", "Yokoyama"},
    {"宮崎", "ミヤザキ", "Miyazaki"},
    {"宮本", "ミヤモト", "Miyamoto"},
    {"内田", "ウチダ", "Uchida"},
    {"高木", "タカギ", "Takagi"},
    {"安藤", "アンドウ", "Ando"},
    {"谷口", "タニグチ", "Taniguchi"},
    {"大野", "オオノ", "Ono"},
    {"丸山", "マルヤマ", "Maruyama"},
    {"今井", "イマイ", "Imai"},
    {"河野", "コウノ", "Kono"},
    {"藤本", "フジモト", "Fujimoto"},
    {"村田", "ムラタ", "Murata"},
    {"武田", "タケダ", "Takeda"},
    {"上野", "ウエノ", "Ueno"},
    {"杉山", "スギヤマ", "Sugiyama"},
};

static const struct nm male[] = {
    {"健二", "ケンジ", "Kenji"},
    {"大輔", "ダイスケ", "Daisuke"},
    {"翔太", "ショウタ", "Shota"},
    {"拓也", "タクヤ", "Takuya"},
    {"直樹", "ナオキ", "Naoki"},
    {"健太", "ケンタ", "Kenta"},
    {"誠", "マコト", "Makoto"},
    {"浩", "ヒロシ", "Hiroshi"},
    {"隆", "タカシ", "Takashi"},
    {"亮", "リョウ", "Ryo"},
    {"剛", "ツヨシ", "Tsuyoshi"},
    {"和也", "カズヤ", "Kazuya"},
    {"達也", "タツヤ", "Tatsuya"},
    {"雄一", "ユウイチ", "Yuichi"},
    {"慎也", "シンヤ", "Shinya"},
    {"裕介", "ユウスケ", "Yusuke"},
    {"智也", "トモヤ", "Tomoya"},
    {"翔", "ショウ", "Sho"},
    {"蓮", "レン", "Ren"},
    {"陽斗", "ハルト", "Haruto"},
    {"悠真", "ユウマ", "Yuma"},
    {"大樹", "ダイキ", "Daiki"},
    {"駿", "シュン", "Shun"},
    {"拓海", "タクミ", "Takumi"},
    {"一郎", "イチロウ", "Ichiro"},
    {"修", "オサム", "Osamu"},
    {"正樹", "マサキ", "Masaki"},
    {"秀樹", "ヒデキ", "Hideki"},
    {"康介", "コウスケ", "Kosuke"},
    {"洋平", "ヨウヘイ", "Yohei"},
    {"俊介", "シュンスケ", "Shunsuke"},
    {"亮太", "リョウタ", "Ryota"},
    {"和樹", "カズキ", "Kazuki"},
    {"圭", "ケイ", "Kei"},
    {"淳", "ジュン", "Jun"},
    {"哲也", "テツヤ", "Tetsuya"},
};

static const struct nm female[] = {
    {"陽子", "ヨウコ", "Yoko"},     {"美咲", "ミサキ", "Misaki"}, {"愛", "アイ", "Ai"},
    {"由美", "ユミ", "Yumi"},       {"恵", "メグミ", "Megumi"},   {"真由美", "マユミ", "Mayumi"},
    {"彩", "アヤ", "Aya"},          {"舞", "マイ", "Mai"},        {"結衣", "ユイ", "Yui"},
    {"さくら", "サクラ", "Sakura"}, {"麻衣", "マイ", "Mai"},      {"優子", "ユウコ", "Yuko"},
    {"直美", "ナオミ", "Naomi"},    {"智子", "トモコ", "Tomoko"}, {"久美子", "クミコ", "Kumiko"},
    {"裕子", "ユウコ", "Yuko"},     {"明美", "アケミ", "Akemi"},  {"千尋", "チヒロ", "Chihiro"},
    {"香織", "カオリ", "Kaori"},    {"美穂", "ミホ", "Miho"},     {"奈々", "ナナ", "Nana"},
    {"遥", "ハルカ", "Haruka"},     {"葵", "アオイ", "Aoi"},      {"陽菜", "ヒナ", "Hina"},
    {"凛", "リン", "Rin"},          {"芽衣", "メイ", "Mei"},      {"沙織", "サオリ", "Saori"},
    {"理恵", "リエ", "Rie"},        {"朋美", "トモミ", "Tomomi"}, {"綾香", "アヤカ", "Ayaka"},
    {"絵美", "エミ", "Emi"},        {"佳奈", "カナ", "Kana"},     {"美紀", "ミキ", "Miki"},
    {"瞳", "ヒトミ", "Hitomi"},     {"早紀", "サキ", "Saki"},     {"杏奈", "アンナ", "Anna"},
};

static const struct {
    struct shn__sample_name name;
    const char *nationality;
} foreign[] = {
    {{"王", "偉", "ワン", "ウェイ", "Wang", "Wei"}, "CN"},
    {{"李", "娜", "リ", "ナ", "Li", "Na"}, "CN"},
    {{"張", "敏", "チャン", "ミン", "Zhang", "Min"}, "CN"},
    {{"劉", "洋", "リュウ", "ヤン", "Liu", "Yang"}, "CN"},
    {{"陳", "静", "チェン", "ジン", "Chen", "Jing"}, "CN"},
    {{"李", "敏浩", "イ", "ミンホ", "Lee", "Minho"}, "KR"},
    {{"朴", "智恩", "パク", "ジウン", "Park", "Jieun"}, "KR"},
    {{"崔", "秀妍", "チェ", "スヨン", "Choi", "Sooyeon"}, "KR"},
    {{"金", "志勲", "キム", "ジフン", "Kim", "Jihoon"}, "KR"},
    {{"グエン", "ヴァン・アン", "グエン", "ヴァン・アン", "Nguyen", "Van An"}, "VN"},
    {{"チャン", "ティ・ラン", "チャン", "ティ・ラン", "Tran", "Thi Lan"}, "VN"},
};

#define COUNT(a) (sizeof a / sizeof a[0])

const char *shn__sample_foreign_name(struct shn_rng *rng, struct shn__sample_name *out)
{
    size_t i = (size_t)shn_rng_below(rng, COUNT(foreign));
    *out = foreign[i].name;
    return foreign[i].nationality;
}

size_t shn__sample_surname(size_t i, struct shn__sample_name *out)
{
    const struct nm *s = &surnames[i % COUNT(surnames)];
    out->surname = s->kanji;
    out->surname_kana = s->kana;
    out->surname_latin = s->latin;
    return COUNT(surnames);
}

void shn__sample_name(struct shn_rng *rng, int female_name, struct shn__sample_name *out)
{
    const struct nm *g = female_name ? &female[shn_rng_below(rng, COUNT(female))]
                                     : &male[shn_rng_below(rng, COUNT(male))];
    shn__sample_surname((size_t)shn_rng_below(rng, COUNT(surnames)), out);
    out->given = g->kanji;
    out->given_kana = g->kana;
    out->given_latin = g->latin;
}

static const char *const places[][2] = {
    {"東京都", "世田谷区"},
    {"東京都", "杉並区"},
    {"東京都", "練馬区"},
    {"東京都", "大田区"},
    {"東京都", "江東区"},
    {"東京都", "八王子市"},
    {"神奈川県", "横浜市青葉区"},
    {"神奈川県", "川崎市中原区"},
    {"神奈川県", "藤沢市"},
    {"埼玉県", "さいたま市浦和区"},
    {"埼玉県", "川口市"},
    {"千葉県", "船橋市"},
    {"千葉県", "柏市"},
    {"大阪府", "大阪市北区"},
    {"大阪府", "豊中市"},
    {"大阪府", "堺市北区"},
    {"京都府", "京都市左京区"},
    {"兵庫県", "神戸市中央区"},
    {"兵庫県", "西宮市"},
    {"愛知県", "名古屋市千種区"},
    {"愛知県", "豊田市"},
    {"福岡県", "福岡市中央区"},
    {"福岡県", "北九州市小倉北区"},
    {"北海道", "札幌市中央区"},
    {"宮城県", "仙台市青葉区"},
    {"広島県", "広島市中区"},
    {"静岡県", "浜松市中央区"},
    {"新潟県", "新潟市中央区"},
    {"岡山県", "岡山市北区"},
    {"熊本県", "熊本市中央区"},
    {"沖縄県", "那覇市"},
    {"長野県", "松本市"},
};
static const char *const towns[] = {"本町", "中央", "緑町", "栄町", "旭町", "若葉", "桜台",
                                    "東町", "西町", "南町", "北町", "宮前", "新町", "清水"};
static const char *const cities[] = {"東京", "横浜", "大阪", "名古屋", "福岡",     "札幌",
                                     "京都", "神戸", "仙台", "広島",   "さいたま", "千葉"};

int shn__sample_address(struct shn_buf *b, struct shn_rng *rng)
{
    size_t p = (size_t)shn_rng_below(rng, COUNT(places));
    /* the numbers last to first, then the town (SEQUENCED) */
    unsigned go = 1 + (unsigned)shn_rng_below(rng, 20);
    unsigned ban = 1 + (unsigned)shn_rng_below(rng, 30);
    unsigned chome = 1 + (unsigned)shn_rng_below(rng, 6);
    const char *town = towns[shn_rng_below(rng, COUNT(towns))];
    return shn_buf_appendf(b, "%s%s%s%u-%u-%u", places[p][0], places[p][1], town, chome, ban, go);
}

const char *shn__sample_city(struct shn_rng *rng)
{
    return cities[shn_rng_below(rng, COUNT(cities))];
}
