-- Question: Which product categories have the highest return rate?
-- Description: Share of delivered or returned orders containing the category that came back as returned.
SELECT p.category,
       COUNT(DISTINCT o.order_id) AS orders,
       COUNT(DISTINCT CASE WHEN o.status = 'returned' THEN o.order_id END) AS returned_orders,
       ROUND(100.0 * COUNT(DISTINCT CASE WHEN o.status = 'returned' THEN o.order_id END)
             / COUNT(DISTINCT o.order_id), 2) AS return_rate_pct
FROM orders AS o
JOIN order_items AS oi ON oi.order_id = o.order_id
JOIN products AS p ON p.product_id = oi.product_id
WHERE o.status IN ('delivered', 'returned')
GROUP BY p.category
ORDER BY return_rate_pct DESC;
